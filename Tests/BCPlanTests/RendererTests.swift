import BCModel
import Testing
@testable import BCPlan

/// The plan renderers, on hand-made plans.
@Suite struct RendererTests {
    func plan(creates n: Int) -> Plan {
        let changes = (0..<n).map { i in
            ResourceChange(address: ResourceAddress(kind: .App, name: "app-\(i)"), action: .create, reason: nil, actionReason: nil,
                           fields: [FieldChange(path: "commandLine", before: .absent, after: .known(.string("echo \(i)")), forcesReplacement: false),
                                    FieldChange(path: "env.TOKEN", before: .absent, after: .sensitive(hash: nil), forcesReplacement: false)],
                           liveId: nil, runStatus: nil)
        }
        return Plan(workspace: "w", lineage: "l", serial: 3, manifestsHash: "h", createdAt: "2026-11-21T10:00:00.000Z", changes: changes,
                    drift: [], desired: [])
    }

    @Test func aSmallPlanCommentCarriesTheFullPlan() {
        let md = MarkdownPlanRenderer.render(plan(creates: 3))
        #expect(md.contains("**Plan: 3 to add, 0 to change, 0 to destroy.**"))
        #expect(md.contains("| + create | `App/app-2` |"))
        #expect(md.contains("<details><summary>Full plan</summary>"))
        // GitHub colours a diff block by its first column: the marker moves there.
        #expect(md.split(separator: "\n").contains { $0.hasPrefix("+") && $0.hasSuffix("commandLine = \"echo 1\"") })
        #expect(md.contains("(sensitive value)"))
    }

    @Test(arguments: [2_000, 20_000])
    func aLargePlanCommentStaysUnderGitHubsLimit(creates: Int) {
        let md = MarkdownPlanRenderer.render(plan(creates: creates))
        #expect(md.count <= MarkdownPlanRenderer.limit)
        #expect(md.contains("too large for a comment"))
        #expect(md.contains("**Plan: \(creates) to add, 0 to change, 0 to destroy.**"))
        #expect(!md.contains("<details>"))
    }

    @Test func terraformJSONShapeWithSensitiveMasks() {
        let json = JSONPlanRenderer.render(plan(creates: 1), version: "0.1.0")
        #expect(json["format_version"] == .string("1.2"))
        let change = json["resource_changes"]?.arrayValue?.first
        #expect(change?["address"] == .string("App/app-0"))
        #expect(change?["type"] == .string("App") && change?["name"] == .string("app-0"))
        #expect(change?["change"]?["actions"] == .array([.string("create")]))
        #expect(change?["change"]?["before"] == .null)
        #expect(change?["change"]?["after"]?["commandLine"] == .string("echo 0"))
        #expect(change?["change"]?["after"]?["env"]?["TOKEN"] == nil)
        #expect(change?["change"]?["after_sensitive"]?["env"]?["TOKEN"] == .bool(true))
    }

    @Test func textPlanLegendListsOnlyTheActionsPresent() {
        let text = TextPlanRenderer(style: .plain).render(plan(creates: 2))
        #expect(text.contains("  + create\n"))
        #expect(!text.contains("update in-place") && !text.contains("destroy and then create"))
        #expect(text.hasSuffix("Plan: 2 to add, 0 to change, 0 to destroy.\n"))
    }
}
