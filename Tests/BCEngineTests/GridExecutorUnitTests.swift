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

    /// `sacct -c -P` as Slurm 22.05 prints it from the jobcomp file: array tasks under their raw
    /// ids, its "Unknown type" complaints possibly mixed in, with or without the header.
    @Test func slurmJobcompRecords() {
        let text = """
            JobID|JobName|State|ExitCode
            sacct: error: Unknown type ArrayJobId: 1111
            1113|bcops-x-2|FAILED|2:0
            1112|bcops-x-2|COMPLETED|0:0
            1111|bcops-x-2|CANCELLED by 0|0:9

            1114|bcops-x-3|TIMEOUT|0:15
            1115|with|bar|NODE_FAIL|0:0
            """
        let records = SlurmBackend.parseCompletions(text)
        #expect(records.map(\.jobId) == ["1113", "1112", "1111", "1114", "1115"])
        #expect(records.prefix(4).map { SlurmBackend.state($0.job) } == [.ended(.exited(2)), .ended(.exited(0)), .ended(.deleted("state CANCELLED (reason from the jobcomp file)")), .ended(.timedOut)])
        #expect(records[4].name == "with")  // a name with `|` is not ours: never matched
    }

    /// Slurm's controller forgets an ended job MinJobAge (300 s) after its end. With the seam
    /// that makes `scontrol` forget at once (`BCOPS_TEST_SLURM_FORGET_ENDED=1`), every end must come
    /// from `sacct -c` through the raw ids the tasks noted: the exit codes are the real ones,
    /// and no instance is taken as deleted outside bcops or run again.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/sbatch") && getuid() == 0, "Slurm is not installed or not root"))
    func slurmEndsTheControllerForgotComeFromTheJobcompFile() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-grid-sacct-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let engine = try Engine(dataDirectory: dir, notice: { _ in })
        var environment = ProcessInfo.processInfo.environment
        environment["BCOPS_TEST_SLURM_FORGET_ENDED"] = "1"
        let executor = GridExecutor(kind: .slurm, dataDirectory: dir, objects: engine.objects, containerRuntime: nil, clientEnvironment: environment)
        let job = try await engine.store.createJob(name: "forgotten", type: "DAG", priority: 1, description: """
            {"Name":"forgotten","Type":"DAG","JobFailOnInstanceFail":false,"DAG":{"Tasks":{"t":{"InstanceCount":3,"MaxRetryCount":0,
             "Parameters":{"Command":{"CommandLine":"sh -c 'exit $((BATCH_COMPUTE_DAG_INSTANCE_ID * 2))'","PackagePath":""},"StdoutRedirectPath":"","StderrRedirectPath":""}}},
             "Dependencies":{}}}
            """, token: nil, tasks: [(name: "t", instances: 3)])
        let scheduler = Scheduler(engine: engine, executors: [executor])
        let running = Task { await scheduler.run() }
        defer { running.cancel() }
        var row = try engine.store.job(job)
        for _ in 0..<600 where !["Finished", "Failed"].contains(row?.state ?? "") {
            try await Task.sleep(nanoseconds: 50_000_000)
            row = try engine.store.job(job)
        }
        let instances = try engine.store.instances(of: job, task: "t").sorted { $0.index < $1.index }
        #expect(instances.map(\.exitCode) == [0, 2, 4], "\(instances.map { "\($0.index): \($0.state) \($0.exitCode.map(String.init) ?? "-") \($0.errorCode) \($0.errorMessage)" })")
        #expect(instances.allSatisfy { $0.errorCode != "DeletedOutsideBcops" && $0.retryCount == 0 })
        #expect(instances.map(\.state) == ["Finished", "Failed", "Failed"])
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
