@testable import BCPlan
import Foundation
import Testing

/// `WorkflowPython`'s look at a venv's files, which spares the runner's start a Python process.
@Suite struct WorkflowRunPythonTests {
    func venv(version: String = "3.11.7", site: String = "python3.11", packages: [String]) throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-venv-\(UUID().uuidString)")
        let fm = FileManager.default
        try fm.createDirectory(at: root.appendingPathComponent("bin"), withIntermediateDirectories: true)
        try "home = /usr/bin\nversion = \(version)\n".write(to: root.appendingPathComponent("pyvenv.cfg"), atomically: true, encoding: .utf8)
        for p in packages {
            let dir = root.appendingPathComponent("lib/\(site)/site-packages/\(p)")
            try fm.createDirectory(at: dir, withIntermediateDirectories: true)
            try "".write(to: dir.appendingPathComponent("__init__.py"), atomically: true, encoding: .utf8)
        }
        return root.appendingPathComponent("bin/python").path
    }

    @Test func aVenvWithBothPackagesNeedsNoProbe() throws {
        #expect(WorkflowPython.venvHasBoth(try venv(packages: ["WDL", "bcops_miniwdl"])))
    }

    @Test func anythingElseIsLeftToTheProbe() throws {
        #expect(!WorkflowPython.venvHasBoth(try venv(packages: ["WDL"])))
        #expect(!WorkflowPython.venvHasBoth(try venv(site: "python3.10", packages: ["WDL", "bcops_miniwdl"])))
        #expect(!WorkflowPython.venvHasBoth("/usr/bin/python3"))
    }
}
