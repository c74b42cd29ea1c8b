import BCAPI
import Foundation

/// Serializes `[String: Any]` trees (request bodies as JSONSerialization reads them) to compact
/// JSON with keys in byte order: the stored form of job, cluster, app and image descriptions,
/// whose bytes an idempotent retry is compared by. Foundation's JSONSerialization on Linux
/// bridges every dictionary to NSDictionary and sorts keys with ICU collation: listing 1,000
/// clusters spent 80% of its time there. Answers no longer go through it: they are contract
/// types written by JSONEncoder (`Answer`); `bcbench encode` measures the two on one page.
public enum JSONWriter {
    public static func data(_ value: Any) -> Data {
        var out: [UInt8] = []
        out.reserveCapacity(1024)
        write(value, into: &out)
        return Data(out)
    }

    static func write(_ value: Any, into out: inout [UInt8]) {
        // Exact native types first: on Linux `as?` bridges numbers across Int, Bool and
        // NSNumber, which would turn an integer 1 into `true`.
        let t = type(of: value)
        if t == Bool.self { out += (value as! Bool) ? Array("true".utf8) : Array("false".utf8); return }
        if t == Int.self { out += Array(String(value as! Int).utf8); return }
        if t == Double.self { writeDouble(value as! Double, into: &out); return }
        if t == String.self { writeString(value as! String, into: &out); return }
        switch value {
        case let o as [String: Any]:
            out.append(UInt8(ascii: "{"))
            var first = true
            for key in o.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                writeString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                write(o[key]!, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        case let a as [Any]:
            out.append(UInt8(ascii: "["))
            for (i, v) in a.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                write(v, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case let n as NSNumber: writeNumber(n, into: &out)
        case let s as String: writeString(s, into: &out)
        case let i as Int64: out += Array(String(i).utf8)
        case let i as Int32: out += Array(String(i).utf8)
        case let f as Float: writeDouble(Double(f), into: &out)
        case is NSNull: out += Array("null".utf8)
        default: out += Array("null".utf8)
        }
    }

    /// NSNumbers come from Foundation's parser (stored descriptions): `c`/`B` are booleans,
    /// `d`/`f` fractions, the rest integers.
    static func writeNumber(_ n: NSNumber, into out: inout [UInt8]) {
        switch String(cString: n.objCType) {
        case "c", "B": out += n.boolValue ? Array("true".utf8) : Array("false".utf8)
        case "d", "f": writeDouble(n.doubleValue, into: &out)
        default: out += Array(String(n.int64Value).utf8)
        }
    }

    static func writeDouble(_ d: Double, into out: inout [UInt8]) {
        guard d.isFinite else { out += Array("null".utf8); return }
        if d == d.rounded(), abs(d) < 1e15 { out += Array(String(Int64(d)).utf8) } else { out += Array("\(d)".utf8) }
    }

    static func writeString(_ s: String, into out: inout [UInt8]) { JSONEscaping.appendQuoted(s, to: &out) }
}
