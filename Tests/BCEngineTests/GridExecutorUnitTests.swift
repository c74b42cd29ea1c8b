import Foundation
import Testing
@testable import BCEngine

/// The gridengine and slurm executor's parsing of what the schedulers print, and its answer to
/// a scheduler that is down.
@Suite struct GridExecutorUnitTests {
    @Test func taskNumbersAsSchedulersWriteThem() {
        #expect(GridCommand.taskNumbers("3") == [3])
        #expect(GridCommand.taskNumbers("3-6:1") == [3, 4, 5, 6])
        #expect(GridCommand.taskNumbers("1-7:3") == [1, 4, 7])
        #expect(GridCommand.taskNumbers("1,4-5%2") == [1, 4, 5])
    }

    @Test func qstatXMLRunningAndQueuedTasks() {
        let xml = """
            <?xml version='1.0'?>
            <job_info><queue_info><job_list state="running"><JB_job_number>2</JB_job_number><JB_name>bcops-x-1</JB_name>
            <state>r</state><tasks>1</tasks></job_list></queue_info>
            <job_info><job_list state="pending"><JB_job_number>2</JB_job_number><JB_name>bcops-x-1</JB_name><state>qw</state>
            <tasks>3-5:1</tasks></job_list><job_list state="pending"><JB_job_number>7</JB_job_number><JB_name>other</JB_name>
            <state>Eqw</state></job_list></job_info></job_info>
            """
        #expect(QstatXML.parse(xml) == [
            .init(number: "2", name: "bcops-x-1", state: "r", tasks: [1]),
            .init(number: "2", name: "bcops-x-1", state: "qw", tasks: [3, 4, 5]),
            .init(number: "7", name: "other", state: "Eqw", tasks: [1]),
        ])
    }

    @Test func gridEngineAccountingCodes() {
        #expect(GridEngineBackend.end(failed: 0, exitStatus: 3) == .exited(3))
        #expect(GridEngineBackend.end(failed: 37, exitStatus: 137) == .timedOut)
        if case .deleted = GridEngineBackend.end(failed: 100, exitStatus: 137) {} else { Issue.record("qdel of a running task") }
        if case .failed = GridEngineBackend.end(failed: 26, exitStatus: 0) {} else { Issue.record("a failure before the job") }
    }

    @Test func slurmRecords() {
        let text = """
            JobId=5 ArrayJobId=4 ArrayTaskId=2 JobName=bcops-x-2 JobState=FAILED Reason=NonZeroExitCode ExitCode=3:0
            JobId=4 ArrayJobId=4 ArrayTaskId=3-9%2 JobName=bcops-x-2 JobState=PENDING Reason=None ExitCode=0:0
            JobId=6 ArrayJobId=4 ArrayTaskId=1 JobName=bcops-x-2 JobState=TIMEOUT Reason=TimeLimit ExitCode=0:15
            JobId=8 JobName=plain JobState=COMPLETED Reason=None ExitCode=0:9
            """
        let jobs = SlurmBackend.parse(text)
        #expect(jobs.map(\.arrayId) == ["4", "4", "4", "8"])
        #expect(jobs[1].tasks == [3, 4, 5, 6, 7, 8, 9])
        #expect(jobs.map { SlurmBackend.state($0) } == [.ended(.exited(3)), .queued, .ended(.timedOut), .ended(.exited(137))])
    }

    /// A Grid Engine that does not answer (here: a qmaster port nobody listens on) fails the
    /// instances at once, with a message naming the scheduler, the command and what it said.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/qsub"), "Grid Engine's qsub is not installed"))
    func aSchedulerThatIsDownFailsTheJobNamingIt() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-grid-down-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let engine = try Engine(dataDirectory: dir, notice: { _ in })
        var environment = ProcessInfo.processInfo.environment
        environment["SGE_QMASTER_PORT"] = "1"
        let executor = GridExecutor(kind: .gridengine, dataDirectory: dir, objects: engine.objects, containerRuntime: nil, clientEnvironment: environment)
        let job = try await engine.store.createJob(name: "down", type: "DAG", priority: 1, description: """
            {"Name":"down","Type":"DAG","JobFailOnInstanceFail":true,"DAG":{"Tasks":{"t":{"InstanceCount":2,
             "Parameters":{"Command":{"CommandLine":"true","PackagePath":""},"StdoutRedirectPath":"","StderrRedirectPath":""}}},
             "Dependencies":{}}}
            """, token: nil, tasks: [(name: "t", instances: 2)])
        let scheduler = Scheduler(engine: engine, executors: [executor])
        let running = Task { await scheduler.run() }
        defer { running.cancel() }
        var row = try engine.store.job(job)
        for _ in 0..<200 where !["Finished", "Failed"].contains(row?.state ?? "") {
            try await Task.sleep(nanoseconds: 50_000_000)
            row = try engine.store.job(job)
        }
        #expect(row?.state == "Failed")
        let message = row?.message ?? ""
        #expect(message.hasPrefix("Grid Engine: `qsub -terse -t 1-2"), "\(message)")
        #expect(message.contains("unable to send message to qmaster using port 1"), "\(message)")
    }
}
