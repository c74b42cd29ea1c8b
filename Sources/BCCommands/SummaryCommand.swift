import ArgumentParser
import BCManifest
import BCModel

/// `bcctl summary`: what the manifests describe, without contacting any engine.
public struct SummaryCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "summary",
        abstract: "Validate manifests and list what they declare, by kind (no engine needed).")

    @OptionGroup public var input: ManifestOptions

    public init() {}

    public func run() throws {
        let result = input.load()
        let out = Terminal(noColorFlag: input.noColor)
        for d in result.diagnostics { printError(Terminal(noColorFlag: input.noColor, stream: 2).red("error: ") + d.description) }
        let (context, _) = input.context()
        print(Summary.render(result.manifests, catalog: context.catalog, terminal: out))
        if !result.isValid { throw ExitCode(1) }
    }
}

/// The plan-free description of a set of manifests.
public enum Summary {
    public static func render(_ manifests: [LoadedManifest], catalog: InstanceTypeCatalog, terminal: Terminal) -> String {
        var lines: [String] = []
        let byKind = Dictionary(grouping: manifests, by: \.manifest.kind)
        for kind in Kind.allCases {
            guard let items = byKind[kind], !items.isEmpty else { continue }
            lines.append(terminal.bold("\(kind.rawValue) (\(items.count))"))
            let width = max(24, items.map(\.manifest.address.count).max() ?? 0)
            for m in items.sorted(by: { $0.manifest.metadata.name < $1.manifest.metadata.name }) {
                let detail = m.isComplete ? detail(m.manifest, catalog: catalog) : "(has errors)"
                lines.append("  \(m.manifest.address.padding(to: width))  \(detail)")
            }
        }
        let runs = manifests.filter { $0.manifest.kind.isRun }.count
        lines.append("")
        lines.append("\(plural(manifests.count, "manifest")): \(plural(manifests.count - runs, "resource")), \(plural(runs, "run")).")
        return lines.joined(separator: "\n")
    }

    static func plural(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }

    static func detail(_ m: Manifest, catalog: InstanceTypeCatalog) -> String {
        switch m.spec {
        case let app as AppSpec:
            let image = app.image.docker.map { "docker \($0.image)" } ?? app.image.vm.map { "vm \($0.imageId)" } ?? "?"
            return "\(image), \(app.inputs?.count ?? 0) inputs, \(app.outputs?.count ?? 0) outputs"
        case let c as ClusterSpec:
            return groups(c.groups, defaultType: c.instanceType, catalog: catalog) + ", image \(c.imageId)" + (c.runtime == .host ? ", runtime host" : "")
        case let s as SGEClusterSpec:
            return "master \(s.master.instanceType), " + groups(s.groups, defaultType: nil, catalog: catalog) + ", cidr \(s.vpc.cidrBlock ?? "?")"
        case let p as RenderProjectSpec:
            return "\(p.software.name), \(p.ossMappings.count) mapping(s), output \(p.ossOutput)"
        case let j as RenderJobSpec:
            let frames = (try? FrameSpec(parsing: j.frames))?.count ?? 0
            let split = j.framesPerTask.map { "chunks of \($0)" } ?? "\(j.nodes ?? 1) node(s)"
            return "\(j.scene) frames \(j.frames) (\(frames)) on \(split), project \(j.project)"
        case let w as WorkflowRunSpec:
            return "\(w.workflow), cluster \(w.runtime?.cluster ?? "default")"
                + (w.runner?.timeout.map { ", workflow timeout \($0) s" } ?? "")
                + (w.runtime?.timeout.map { ", call timeout \($0) s" } ?? "")
                + (w.dependsOn.map { ", after \($0.joined(separator: ", "))" } ?? "")
        case let j as JobSpec:
            if let app = j.app {
                let instances = j.config?.instanceCount.map { "\($0) instance(s)" } ?? "the App's instance count"
                return "App \(app), \(j.inputs?.count ?? 0) input(s), \(instances)" + (j.config?.cluster.map { ", cluster \($0)" } ?? "")
            }
            let tasks = j.tasks ?? [:]
            let instances = tasks.values.reduce(0) { $0 + ($1.instanceCount ?? 1) }
            return "\(tasks.count) task(s), \(instances) instance(s), \(j.dependencies?.values.reduce(0) { $0 + $1.count } ?? 0) dependencies"
        default:
            return ""
        }
    }

    static func groups(_ groups: [String: ClusterGroup], defaultType: String?, catalog: InstanceTypeCatalog) -> String {
        var nodes = 0, slots = 0
        for g in groups.values {
            nodes += g.desiredCount
            slots += g.desiredCount * (catalog[g.instanceType ?? defaultType ?? ""]?.cpu ?? 0)
        }
        return "\(groups.count) group(s), \(nodes) node(s), \(slots) slots"
    }
}

extension String {
    func padding(to width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}
