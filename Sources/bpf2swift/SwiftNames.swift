/// How C names become Swift names in generated code.
///
/// - An object's type is its source's base name in UpperCamelCase: `nops_seq.bpf.c` → `NopsSeq`.
/// - Globals, maps, programs and struct members keep their C names (`nr_nops`), so they read as in the program;
///   a C name that is a Swift keyword is written in backticks.
/// - A generated struct is its C tag in UpperCamelCase (`struct conn_key` → `ConnKey`); an anonymous one is named
///   after where it is used (`CountsValue` for the values of map `counts`).
enum SwiftNames {
    /// `nops_seq` → `NopsSeq`; a name starting with a digit gets a leading underscore.
    static func typeName(_ cName: String) -> String {
        let parts = cName.split { !($0.isASCII && ($0.isLetter || $0.isNumber)) }
        var name = parts.map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
        if name.isEmpty { name = "Object" }
        if name.first!.isNumber { name = "_" + name }
        return name
    }

    /// A C identifier as a Swift identifier, in backticks when it is a Swift keyword.
    static func identifier(_ cName: String) -> String {
        keywords.contains(cName) ? "`\(cName)`" : cName
    }

    /// Whether `name` can be used as a Swift identifier as is or in backticks (C identifiers always can; names
    /// such as `func.var` for a function's static variable cannot).
    static func isIdentifier(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || isASCIILetter(first) else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || isASCIILetter($0) || ("0"..."9").contains($0) }
    }

    /// `text` as a Swift string literal.
    static func stringLiteral(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case " "..."~": out.unicodeScalars.append(scalar)
            default: out += "\\u{\(String(scalar.value, radix: 16))}"
            }
        }
        return out + "\""
    }

    private static func isASCIILetter(_ s: Unicode.Scalar) -> Bool { ("a"..."z").contains(s) || ("A"..."Z").contains(s) }

    /// Swift keywords a C identifier can collide with.
    static let keywords: Set<String> = [
        "Any", "Protocol", "Self", "Type", "as", "associatedtype", "break", "case", "catch", "class", "continue",
        "default", "defer", "deinit", "do", "else", "enum", "extension", "fallthrough", "false", "fileprivate", "for",
        "func", "guard", "if", "import", "in", "init", "inout", "internal", "is", "let", "nil", "operator", "private",
        "protocol", "public", "repeat", "rethrows", "return", "self", "static", "struct", "subscript", "super",
        "switch", "throw", "throws", "true", "try", "typealias", "var", "where", "while",
    ]
}
