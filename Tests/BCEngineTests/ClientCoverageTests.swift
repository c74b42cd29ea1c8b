import BCTestSupport
import Foundation
import Testing
@testable import BCEngine

/// The coverage table of docs/commands/engine.md ("Coverage of the official clients"): every
/// SDK 2.1.7 method and `bcs` 1.7.7 verb it marks "works" or "works with a difference", run
/// unmodified against the engine by Tests/BCEngineTests/sdk/coverage.py, and `bcctl oss`
/// against `bcs o` (one store, the engine's).
@Suite(.serialized) struct ClientCoverageTests {
    @Test func everySupportedSDKMethodAndBcsVerbWorks() throws {
        #expect(FileManager.default.isExecutableFile(atPath: SDKPython.path), "no SDK venv at \(SDKPython.path): run scripts/test.sh")
        let engine = try EngineProcess()
        defer { engine.stop() }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-coverage-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let r = try SDKPython.run("coverage.py", [String(engine.port), engine.credentials.accessKeyId, engine.credentials.accessKeySecret,
                                                  scratch, engine.dataDirectory, EngineProcess.binary("bcctl"),
                                                  // `bcs sub --docker` checks the branch the engine takes on this host.
                                                  ContainerRuntimeTests.onThisHost ?? ""])
        #expect(r.status == 0, "\(r.output)")
        #expect(!r.output.contains("FAIL"), "\(r.output)")
        #expect(r.output.contains("all coverage checks passed"), "\(r.output)")
        #expect(!r.output.contains(engine.credentials.accessKeySecret), "the secret must not be printed")
        // Every SDK method of the table ran (bcs verbs are named the same way, `ok   bcs <verb>`).
        for method in ["get_quotas", "get_available_resource", "create_image", "get_image", "list_images", "delete_image",
                       "create_cluster", "get_cluster", "list_clusters", "modify_cluster", "change_cluster_desired_vm_count",
                       "change_cluster_spot_config", "change_cluster_user_data", "change_cluster_input_mapping",
                       "change_cluster_env_vars", "list_cluster_instances", "get_cluster_instance", "recreate_cluster_instance",
                       "delete_cluster_instance", "delete_cluster", "create_job", "get_job", "get_job_description", "list_jobs",
                       "get_task", "list_tasks", "get_instance", "list_instances", "stop_job", "start_job", "change_job_priority",
                       "delete_job", "poll", "easy_list", "create_app", "get_app", "get_app_detail", "get_app_revisions",
                       "list_apps", "modify_app", "delete_app"] {
            #expect(r.output.contains("ok   sdk \(method)") || r.output.contains("/ \(method)"), "sdk \(method) was not checked")
        }
        for verb in ["login", "logout", "set", "r ", "t ", "d ", "e ", "i ", "ci", "di", "cc", "c ", "uc", "rci", "dci", "dc",
                     "ca", "a ", "ua", "asub", "da", "sub", "cj", "j ", "log", "l ", "ch", "sj", "uj", "rj", "dj",
                     "o pwd", "o ls", "o cat", "o cp", "o up", "o down", "o del", "o login", "o logout",
                     "gen", "p create", "p update", "p build", "p submit", "p status", "qsub"] {
            #expect(r.output.contains("ok   bcs \(verb)"), "bcs \(verb) was not checked")
        }
        for verb in ["cp", "ls", "cat"] {
            #expect(r.output.contains("ok   bcctl oss \(verb)"), "bcctl oss \(verb) was not checked against bcs o")
        }
    }
}
