import BCModel

/// Command templates of custom render software (`RenderSoftware.command`), such as
/// `mysoft --scene $SCENE --out ${OUTPUT_LOCAL_DIR}/img --frames $FRAMES --threads $CPU`.
///
/// The rendered command is run with `/bin/sh -c`, so every value is inserted as one shell word:
/// a value that could change the command's meaning (spaces, quotes, `;`, `$`, globs…) is
/// single-quoted. Templates therefore must not quote variables themselves (`"$SCENE"` would
/// keep the inner quotes literally when the value needs quoting).
public struct CommandTemplate: Sendable {
    /// Variables every template may use; the same list BCModel validates templates against.
    public static let builtInVariables = RenderSoftware.builtInVariables

    public enum TemplateError: Error, Sendable, Equatable, CustomStringConvertible {
        /// `$NAME` or `${NAME}` with no value given.
        case unknownVariable(String)
        /// `${` not followed by a name and `}`.
        case malformed(String)

        public var description: String {
            switch self {
            case .unknownVariable(let name): "unknown variable $\(name)"
            case .malformed(let text): "malformed variable reference \"\(text)\" (write ${NAME})"
            }
        }
    }

    /// Substitutes `$NAME` and `${NAME}` (letters, digits and `_`, as BCModel's template check
    /// reads them) with shell-quoted values; `$$` stands for a literal `$`, and a `$` followed by
    /// anything else is kept as it is. `$FRAMES` is whatever the caller supplies (for custom
    /// software the manifest grammar, `1-3,5`).
    public static func render(_ template: String, variables: [String: String]) throws(TemplateError) -> String {
        let scalars = Array(template.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        while i < scalars.count {
            guard scalars[i] == "$", i + 1 < scalars.count else { out.append(scalars[i]); i += 1; continue }
            let next = scalars[i + 1]
            if next == "$" { out.append("$"); i += 2; continue }
            let braced = next == "{"
            var j = braced ? i + 2 : i + 1
            let nameStart = j
            while j < scalars.count, isNameScalar(scalars[j]) { j += 1 }
            var name = String.UnicodeScalarView()
            name.append(contentsOf: scalars[nameStart ..< j])
            if braced {
                guard j > nameStart, j < scalars.count, scalars[j] == "}" else {
                    var text = String.UnicodeScalarView()
                    text.append(contentsOf: scalars[i ..< min(j + 1, scalars.count)])
                    throw .malformed(String(text))
                }
                j += 1
            } else if name.isEmpty {
                out.append("$"); i += 1; continue
            }
            guard let value = variables[String(name)] else { throw .unknownVariable(String(name)) }
            out.append(contentsOf: shellQuoted(value).unicodeScalars)
            i = j
        }
        return String(out)
    }

    /// `value` as one shell word: unchanged when it consists only of `[A-Za-z0-9_./:=,+@%-]`,
    /// else in single quotes with each `'` written `'\''`. The empty value becomes `''`.
    public static func shellQuoted(_ value: String) -> String {
        if !value.isEmpty, value.utf8.allSatisfy(isSafeByte) { return value }
        return "'" + value.replacingAll("'", with: "'\\''") + "'"
    }

    private static func isNameScalar(_ s: Unicode.Scalar) -> Bool {
        s.properties.isAlphabetic || ("0"..."9").contains(s) || s == "_"
    }

    private static func isSafeByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"): true
        default: "_./:=,+@%-".utf8.contains(b)
        }
    }
}

private extension String {
    /// Foundation-free `replacingOccurrences`, by scalar: a `'` followed by a combining mark is
    /// one Character but still a quote to the shell.
    func replacingAll(_ needle: Unicode.Scalar, with replacement: String) -> String {
        var out = String.UnicodeScalarView()
        for s in unicodeScalars {
            if s == needle { out.append(contentsOf: replacement.unicodeScalars) } else { out.append(s) }
        }
        return String(out)
    }
}
