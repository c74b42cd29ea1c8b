import BCManifest
import Foundation
import Testing

/// The user guide's examples must work as written.
@Suite struct DocsTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func yamlBlocks(_ markdown: String) -> [String] {
        var blocks: [String] = [], current: [Substring]?
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == nil, line.trimmingCharacters(in: .whitespaces) == "```yaml" { current = []; continue }
            if current != nil, line.trimmingCharacters(in: .whitespaces) == "```" {
                blocks.append(current!.joined(separator: "\n")); current = nil; continue
            }
            current?.append(line)
        }
        return blocks
    }

    static let kindPages = ["app", "cluster", "sgecluster", "renderproject", "renderjob", "workflowrun", "job"]

    /// Every kind has a page, and its yaml blocks (together) are valid manifests.
    @Test(arguments: kindPages)
    func kindPageExamplesAreValid(page: String) throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent("docs/kinds/\(page).md"), encoding: .utf8)
        let blocks = Self.yamlBlocks(text)
        #expect(!blocks.isEmpty, "docs/kinds/\(page).md has no yaml example")
        let stream = blocks.joined(separator: "\n---\n")
        let result = ManifestLoader().load(bytes: Array(stream.utf8), name: "docs/kinds/\(page).md")
        #expect(result.diagnostics.map(\.description) == [])
        #expect(result.manifests.contains { $0.manifest.kind.rawValue.lowercased() == page })
    }

    /// Every command the executables offer is documented.
    @Test(arguments: ["validate", "schema", "summary", "fmt", "plan", "apply", "show", "lock", "engine", "render", "logs",
                       "controller", "status", "plan-approve", "jobs", "completion", "workflow"])
    func commandHasAPage(command: String) {
        #expect(FileManager.default.fileExists(atPath: Self.root.appendingPathComponent("docs/commands/\(command).md").path))
    }
}
