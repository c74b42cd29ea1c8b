import BCTestSupport
import Foundation
import Testing

/// OSS prefixes appear at a task's local paths (read-only, or with local-only writes) and
/// OutputMapping directories are uploaded when the instance ends; each instance has its own view.
@Suite(.serialized) struct MappingTests {
    @Test func inputsAreReadOnlyOutputsAreUploadedAndInstancesDoNotCollide() async throws {
        guard geteuid() == 0 else { return }  // mount namespaces need root; the engine says so otherwise
        let engine = try EngineProcess()
        defer { engine.stop() }
        let store = engine.dataDirectory + "/oss/b/in"
        try FileManager.default.createDirectory(atPath: store, withIntermediateDirectories: true)
        try "scene-data\n".write(toFile: store + "/scene.txt", atomically: true, encoding: .utf8)
        let token = UUID().uuidString.prefix(8)
        let input = "/tmp/bcops-in-\(token)/", output = "/tmp/bcops-out-\(token)/", scratch = "/tmp/bcops-rw-\(token)/"
        let cluster = try await ExecutionTests.cluster(engine, nodes: 1)
        let command = """
        cat \(input)scene.txt > \(output)copy-$BATCH_COMPUTE_DAG_INSTANCE_ID.txt; \
        (echo x > \(input)new.txt) 2>/dev/null && echo writable || echo read-only; \
        echo local > \(scratch)written.txt && cat \(scratch)written.txt
        """
        let body = try JSONSerialization.data(withJSONObject: [
            "Name": "maps", "Priority": 1, "Type": "DAG", "JobFailOnInstanceFail": true,
            "DAG": ["Tasks": ["t": [
                "InstanceCount": 2, "ClusterId": cluster,
                "InputMapping": ["oss://b/in/": input],
                "Mounts": ["Entries": [["Source": "oss://b/in/", "Destination": scratch, "WriteSupport": true]]],
                "OutputMapping": [output: "oss://b/out/"],
                "Parameters": ["Command": ["CommandLine": command, "PackagePath": ""],
                               "StdoutRedirectPath": "oss://b/logs/", "StderrRedirectPath": "oss://b/logs/"],
            ] as [String: Any]]],
        ] as [String: Any])
        let created = try await engine.request("POST", "/jobs", body: body)
        let id = try #require(created.json["Id"] as? String, "\(created.json)")
        let done = try await ExecutionTests.waitFor(engine, id) { ["Finished", "Failed"].contains($0["State"] as? String ?? "") }
        #expect(done["State"] as? String == "Finished", "\(done)")
        for n in 0..<2 {
            #expect(try String(contentsOfFile: engine.dataDirectory + "/oss/b/out/copy-\(n).txt", encoding: .utf8) == "scene-data\n")
            let log = try String(contentsOfFile: engine.dataDirectory + "/oss/b/logs/stdout.\(id).t.\(n)", encoding: .utf8)
            #expect(log == "read-only\nlocal\n")
        }
        // Local writes stayed local: the object store is unchanged.
        #expect(try FileManager.default.contentsOfDirectory(atPath: store).sorted() == ["scene.txt"])
        for dir in [input, output, scratch] { try? FileManager.default.removeItem(atPath: dir) }
    }
}
