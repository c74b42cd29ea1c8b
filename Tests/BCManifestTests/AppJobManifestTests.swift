import BCModel
import BCTestSupport
import Foundation
import Testing
@testable import BCManifest

/// A Job with `app:` (a run of an App): decoding, located validation errors, the JSON Schema
/// and `bcctl fmt`'s key order.
@Suite struct AppJobManifestTests {
    static let app = """
        apiVersion: bcops.io/v1
        kind: App
        metadata:
          name: greeter
        spec:
          image:
            docker:
              image: busybox
          commandLine: echo ${greeting} ${name} ${count} > ${out}/greeting.txt
          inputs:
            greeting:
              default: hello
              overwritable: false
            name:
              description: who to greet
            count:
              type: Number
              default: "1"
          outputs:
            out:
              localPath: /home/out/
          config:
            instanceCount: 1
        ---
        apiVersion: bcops.io/v1
        kind: Cluster
        metadata:
          name: host-pool
        spec:
          imageId: img-ubuntu
          instanceType: ecs.sn1.medium
          runtime: host
          groups:
            main:
              desiredCount: 1
        ---

        """

    static func diagnostics(_ text: String) -> [String] {
        ManifestLoader().load(bytes: Array(text.utf8), name: "m.yaml").diagnostics.map(\.description)
    }

    /// The line of the first occurrence of `needle` in `text` (1-based).
    static func line(of needle: String, in text: String) -> Int {
        (text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains(needle) } ?? -1) + 1
    }

    @Test func aRunOfADeclaredAppDecodesAndValidates() throws {
        let text = Self.app + """
            apiVersion: bcops.io/v1
            kind: Job
            metadata:
              name: greet
            spec:
              app: greeter
              inputs:
                name: bcops
                count: "3"
              outputs:
                out: oss://bucket/out/
              config:
                cluster: host-pool
                instanceCount: 2
                maxRetryCount: 1
                timeout: 600
              stdoutRedirectPath: oss://bucket/logs/
              stderrRedirectPath: oss://bucket/logs/
            """
        let result = ManifestLoader().load(bytes: Array(text.utf8), name: "m.yaml")
        #expect(result.diagnostics.map(\.description) == [])
        let job = try #require(result.manifests.first { $0.manifest.kind == .Job }?.manifest.spec as? JobSpec)
        #expect(job.app == "greeter" && job.tasks == nil)
        #expect(job.inputs == ["name": "bcops", "count": "3"])
        #expect(job.outputs == ["out": "oss://bucket/out/"])
        #expect(job.config?.cluster == "host-pool" && job.config?.instanceCount == 2 && job.config?.timeout == 600)
        #expect(job.stdoutRedirectPath == "oss://bucket/logs/")
    }

    @Test func exactlyOneOfTasksOrApp() {
        let both = """
            apiVersion: bcops.io/v1
            kind: Job
            metadata:
              name: both
            spec:
              app: greeter
              inputs:
                name: x
              tasks:
                a:
                  cluster: cls-abc
                  command: echo
            ---
            apiVersion: bcops.io/v1
            kind: Job
            metadata:
              name: neither
            spec:
              description: nothing to run
            """
        #expect(Self.diagnostics(both) == [
            "m.yaml:6:8: Job/both: spec.app: set tasks or app, not both: a job is a DAG of tasks or a run of an App",
            "m.yaml:19:3: Job/neither: spec: set tasks (a DAG job) or app (a run of an App)",
        ])
    }

    @Test func fieldsOfTheOtherShapeAreLocatedErrors() {
        let text = """
            apiVersion: bcops.io/v1
            kind: Job
            metadata:
              name: dag
            spec:
              inputs:
                name: x
              config:
                instanceCount: 2
              tasks:
                a:
                  cluster: cls-abc
                  command: echo
            ---
            apiVersion: bcops.io/v1
            kind: Job
            metadata:
              name: app-run
            spec:
              app: "9lives"
              dependencies:
                a: [b]
              config:
                cluster: host-pool
                autoCluster:
                  instanceType: ecs.sn1.medium
                instanceCount: 0
                timeout: 0
              stdoutRedirectPath: oss://bucket/logs
            """
        #expect(Self.diagnostics(text) == [
            "m.yaml:6:3: Job/dag: spec.inputs: inputs is for App jobs (with app:)",
            "m.yaml:8:3: Job/dag: spec.config: config is for App jobs (with app:); a DAG job sets its settings on each task",
            "m.yaml:20:8: Job/app-run: spec.app: App name \"9lives\" must not start with a digit",
            "m.yaml:21:3: Job/app-run: spec.dependencies: dependencies are for DAG jobs (tasks:); an App job has one task",
            "m.yaml:24:14: Job/app-run: spec.config.cluster: Cluster \"host-pool\" is not defined",
            "m.yaml:26:7: Job/app-run: spec.config.autoCluster: set cluster or autoCluster, not both",
            "m.yaml:27:20: Job/app-run: spec.config.instanceCount: instanceCount must be ≥ 1, got 0",
            "m.yaml:28:14: Job/app-run: spec.config.timeout: timeout 0 s is out of range 1–604800 s",
            "m.yaml:29:23: Job/app-run: spec.stdoutRedirectPath: OSS prefix \"oss://bucket/logs\" must end with \"/\"",
        ])
    }

    @Test func inputsAndOutputsMustBeTheDeclaredApps() {
        let job = """
            apiVersion: bcops.io/v1
            kind: Job
            metadata:
              name: greet
            spec:
              app: greeter
              inputs:
                nme: bcops
                greeting: hi
                count: three
                out: oss://bucket/out/
              outputs:
                out: /not/oss/
              config:
                cluster: host-pool
            """
        let text = Self.app + job
        let l = { (needle: String) in Self.line(of: needle, in: text) }
        #expect(Self.diagnostics(text) == [
            // A missing input is reported on the inputs given (an object is located at its first key).
            "m.yaml:\(l("nme: bcops")):5: Job/greet: spec.inputs.nme: App \"greeter\" has no input named \"nme\"; did you mean \"name\"?",
            "m.yaml:\(l("nme: bcops")):5: Job/greet: spec.inputs: input \"name\" of App \"greeter\" has no default and must be set (spec.inputs.name)",
            "m.yaml:\(l("greeting: hi")):15: Job/greet: spec.inputs.greeting: App \"greeter\" does not let jobs set input \"greeting\" (overwritable: false; it is always \"hello\")",
            "m.yaml:\(l("count: three")):12: Job/greet: spec.inputs.count: input \"count\" of App \"greeter\" is a Number, got \"three\"",
            "m.yaml:\(l("out: oss://bucket/out/")):5: Job/greet: spec.inputs.out: App \"greeter\" has no input named \"out\" (it is one of its outputs)",
            "m.yaml:\(l("out: /not/oss/")):10: Job/greet: spec.outputs.out: \"/not/oss/\" is not an OSS location; expected oss://bucket/path",
        ])
    }

    @Test func aRunOfAnAppNotDeclaredHereIsValidWithAWarning() throws {
        let text = """
            apiVersion: bcops.io/v1
            kind: Job
            metadata:
              name: greet
            spec:
              app: greeter
              inputs:
                anything: goes
            """
        let result = ManifestLoader().load(bytes: Array(text.utf8), name: "m.yaml")
        #expect(result.diagnostics.map(\.description) == [])
        #expect(AppJobWarnings.find(in: result).map(\.description) == [
            "m.yaml:6:8: Job/greet: spec.app: App \"greeter\" is not declared in these manifests, so it must exist on the engine (bcplan checks)",
        ])
    }

    @Test func theSchemaKnowsAppJobsAndSaysExactlyOneOfTasksOrApp() throws {
        let text = JSONSchemaWriter.document(for: .Job).render()
        for field in ["\"app\"", "\"inputs\"", "\"outputs\"", "\"AppJobConfig\"", "\"stdoutRedirectPath\""] {
            #expect(text.contains(field), "\(field) missing from the Job schema")
        }
        let schema = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let spec = try #require((schema["$defs"] as? [String: Any])?["JobSpec"] as? [String: Any])
        #expect((spec["oneOf"] as? [[String: Any]])?.map { $0["required"] as? [String] } == [["tasks"], ["app"]])
        #expect((spec["required"] as? [String]) == nil, "tasks is no longer required on its own")
    }

    /// Python's jsonschema, with the committed schemas: an App job passes, one with both or neither fails.
    @Test func aThirdPartyValidatorAcceptsAppJobs() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-appjob-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = """
            apiVersion: bcops.io/v1
            kind: Job
            metadata: {name: greet}
            spec:
              app: greeter
              inputs: {name: bcops}
              config: {cluster: host-pool, instanceCount: 2}
              stdoutRedirectPath: oss://bucket/logs/
            """
        try good.write(to: dir.appendingPathComponent("good.yaml"), atomically: true, encoding: .utf8)
        try (good + "\n  tasks: {a: {cluster: c, command: echo}}\n").write(to: dir.appendingPathComponent("both.yaml"), atomically: true, encoding: .utf8)
        let script = ProcessRunner.root.appendingPathComponent("scripts/check_schema.py").path
        let schemas = ProcessRunner.root.appendingPathComponent("manifests/schema").path
        let ok = try ProcessRunner.run("/usr/bin/env", ["python3", script, schemas, dir.appendingPathComponent("good.yaml").path])
        #expect(ok.status == 0, "\(ok.combined)")
        let bad = try ProcessRunner.run("/usr/bin/env", ["python3", script, schemas, dir.appendingPathComponent("both.yaml").path])
        #expect(bad.status == 1, "\(bad.combined)")
    }

    @Test func fmtPutsAnAppJobsFieldsInSchemaOrder() {
        let scrambled = """
            apiVersion: bcops.io/v1
            kind: Job
            metadata:
              name: greet
            spec:
              stdoutRedirectPath: oss://bucket/logs/
              config:
                instanceCount: 2
                cluster: host-pool
              inputs:
                name: bcops
              app: greeter
              description: a greeting

            """
        guard case .formatted(let out) = ManifestFormatter().format(scrambled) else {
            Issue.record("not formatted")
            return
        }
        #expect(out == """
            apiVersion: bcops.io/v1
            kind: Job
            metadata:
              name: greet
            spec:
              description: a greeting
              app: greeter
              inputs:
                name: bcops
              config:
                cluster: host-pool
                instanceCount: 2
              stdoutRedirectPath: oss://bucket/logs/

            """)
    }
}
