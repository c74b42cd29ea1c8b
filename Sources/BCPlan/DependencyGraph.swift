import BCModel

/// The order of operations, for `bcctl graph` (Graphviz DOT).
public enum DependencyGraph {
    public static func dot(_ desired: [DesiredResource]) -> String {
        var out = "digraph bcops {\n  rankdir = \"RL\";\n  node [shape = box];\n"
        for d in desired.sorted(by: { $0.address < $1.address }) {
            out += "  \"\(d.address)\"\(d.isRun ? " [style = rounded]" : "");\n"
        }
        for d in desired.sorted(by: { $0.address < $1.address }) {
            for dep in d.dependencies.sorted() { out += "  \"\(d.address)\" -> \"\(dep)\";\n" }
        }
        return out + "}\n"
    }
}
