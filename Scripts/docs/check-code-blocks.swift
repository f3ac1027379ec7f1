// Checks that the code in the documentation is code that CI compiles or runs, so that it cannot rot.
//
//   swift Scripts/docs/check-code-blocks.swift URING_BPF_BINARY FILE.md ... [--doc-comments Sources/MODULE ...]
//
// Every fenced code block of each Markdown file must follow (blank lines apart) one of these HTML comments, which
// neither GitHub nor DocC shows:
//
//   <!-- snippet: Snippets/NAME.swift -->   the block is the snippet's visible code, exactly: its lines without the
//                                            leading comment (the explanation), the `// snippet.hide` ...
//                                            `// snippet.show` parts and the marker lines (what DocC's @Snippet
//                                            shows); `NAME.swift#SLICE` for one slice. Snippets are built by
//                                            `swift build` and run by Scripts/docs/run-snippets.
//   <!-- excerpt: PATH -->                   each paragraph of the block (lines between blank lines) appears in PATH,
//                                            in order, at any one indentation. PATH is a file CI builds or runs (a
//                                            loop program, Examples/consumer, Examples/swift).
//   <!-- commands -->                        a shell block: every `uring-bpf` command in it (also as `swift run
//                                            [-c release] uring-bpf`) names a real subcommand, only options that
//                                            its --help lists, and a bundled example where it names one; every
//                                            `clang` command compiles (run from the package's root).
//
// With --doc-comments, the Swift files under each folder must have no fenced code block in their doc comments:
// code examples go in snippets, shown by a documentation extension in the module's catalog.
import Foundation

var problems: [String] = []
func problem(_ file: String, _ line: Int, _ text: String) { problems.append("\(file):\(line): \(text)") }

func lines(of path: String) -> [String]? {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
    var result = text.components(separatedBy: "\n")
    if result.last == "" { result.removeLast() }
    return result
}

func trimmed(_ s: some StringProtocol) -> String { s.trimmingCharacters(in: .whitespaces) }

func indentation(_ s: String) -> Int { s.prefix { $0 == " " }.count }

/// Blank lines removed from both ends.
func stripBlankEnds(_ lines: [String]) -> [String] {
    var lines = lines
    while let first = lines.first, trimmed(first).isEmpty { lines.removeFirst() }
    while let last = lines.last, trimmed(last).isEmpty { lines.removeLast() }
    return lines
}

/// The code DocC shows for a snippet (or one slice of it).
func visibleCode(ofSnippet path: String, slice: String?) -> [String]? {
    guard var source = lines(of: path) else { return nil }
    // The leading comment is the snippet's explanation, which DocC shows as text.
    while let first = source.first, trimmed(first).hasPrefix("//"), !trimmed(first).hasPrefix("// snippet.") {
        source.removeFirst()
    }
    var visible: [String] = []
    var hidden = false
    var inSlice = slice == nil
    for line in source {
        let t = trimmed(line)
        if t.hasPrefix("// snippet.") {
            let marker = String(t.dropFirst("// snippet.".count))
            switch marker {
            case "hide": hidden = true
            case "show": hidden = false
            case "end": if slice != nil { inSlice = false }
            default: if marker == slice { inSlice = true }
            }
            continue
        }
        if !hidden && inSlice { visible.append(line) }
    }
    let code = stripBlankEnds(visible)
    let indent = code.filter { !trimmed($0).isEmpty }.map(indentation).min() ?? 0
    return code.map { trimmed($0).isEmpty ? "" : String($0.dropFirst(indent)) }
}

/// Whether `chunk` appears as consecutive lines of `file` from `start` on, all shifted by one indentation.
func findChunk(_ chunk: [String], in file: [String], from start: Int) -> Int? {
    guard let first = chunk.first, start < file.count else { return nil }
    for i in start..<file.count where file[i].hasSuffix(first) && i + chunk.count <= file.count {
        let shift = file[i].count - first.count
        guard shift >= 0, file[i].prefix(shift).allSatisfy({ $0 == " " }) else { continue }
        let prefix = String(repeating: " ", count: shift)
        if chunk.indices.allSatisfy({ file[i + $0] == prefix + chunk[$0] }) { return i + chunk.count }
    }
    return nil
}

/// The text `uring-bpf ARGUMENTS --help` prints, by argument path.
var helpCache: [String: String?] = [:]
func help(_ binary: String, _ path: [String]) -> String? {
    let key = path.joined(separator: " ")
    if let cached = helpCache[key] { return cached }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: binary)
    process.arguments = path + ["--help"]
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    var text: String?
    if (try? process.run()) != nil {
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        if process.terminationStatus == 0 { text = String(decoding: data, as: UTF8.self) }
    }
    helpCache[key] = text
    return text
}

/// Shell words of a command line (quotes kept out, `#` comments dropped).
func words(_ line: String) -> [String] {
    var result: [String] = [], current = "", quote: Character?
    var sawWord = false
    for c in line {
        if let q = quote {
            if c == q { quote = nil } else { current.append(c) }
        } else if c == "'" || c == "\"" {
            quote = c
            sawWord = true
        } else if c == " " || c == "\t" {
            if sawWord || !current.isEmpty { result.append(current) }
            current = ""
            sawWord = false
        } else if c == "#" && current.isEmpty && !sawWord {
            break
        } else {
            current.append(c)
        }
    }
    if sawWord || !current.isEmpty { result.append(current) }
    return result
}

func checkCommands(_ block: [String], file: String, firstLine: Int, binary: String) {
    let examples = exampleNames(binary)
    var joined: [(line: Int, text: String)] = []
    var pending: (line: Int, text: String)?
    for (offset, raw) in block.enumerated() {
        let text = pending.map { $0.text + " " } ?? ""
        let line = pending?.line ?? firstLine + offset
        if raw.hasSuffix("\\") {
            pending = (line, text + String(raw.dropLast()))
        } else {
            joined.append((line, text + raw))
            pending = nil
        }
    }
    for (line, text) in joined {
        var w = words(text)
        if w.starts(with: ["swift", "run"]) {
            w.removeFirst(2)
            if w.first == "-c" { w.removeFirst(2) }
        }
        if w.first == "clang" {
            checkClang(w, file: file, line: line)
            continue
        }
        guard w.first == "uring-bpf" else { continue }
        w.removeFirst()
        var path: [String] = []
        while let next = w.first, !next.hasPrefix("-"), path.count < 2,
              help(binary, path + [next]) != nil, isSubcommand(binary, path, next) {
            path.append(w.removeFirst())
        }
        guard !path.isEmpty, let text = help(binary, path) else {
            problem(file, line, "`uring-bpf \(w.joined(separator: " "))`: no such subcommand")
            continue
        }
        if text.contains("SUBCOMMANDS:"), let next = w.first, !next.hasPrefix("-") {
            problem(file, line, "`uring-bpf \(path.joined(separator: " "))` has no subcommand \(next)")
            continue
        }
        for word in w where word.hasPrefix("--") {
            let option = String(word.prefix { $0 != "=" })
            if !text.contains(option + " ") && !text.contains(option + "\n") && !text.contains(option + ",") {
                problem(file, line, "`uring-bpf \(path.joined(separator: " "))` has no option \(option)")
            }
        }
        if ["run", "objdump", "exec"].contains(path.first ?? ""), let name = w.first, !name.hasPrefix("-"),
           !name.contains("/"), !name.contains("."), !examples.contains(name) {
            problem(file, line, "`uring-bpf \(path[0]) \(name)`: no bundled example \(name) (\(examples.sorted()))")
        }
    }
}

/// Runs a documented clang command from the package's root, its output (`-o`) sent to a scratch file.
func checkClang(_ command: [String], file: String, line: Int) {
    var arguments = Array(command.dropFirst())
    let output = NSTemporaryDirectory() + "check-code-blocks-\(getpid()).o"
    defer { unlink(output) }
    if let o = arguments.firstIndex(of: "-o"), o + 1 < arguments.count { arguments[o + 1] = output }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["clang"] + arguments
    let pipe = Pipe()
    process.standardError = pipe
    do {
        try process.run()
    } catch {
        problem(file, line, "cannot run clang: \(error)")
        return
    }
    let errors = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    if process.terminationStatus != 0 {
        problem(file, line, "`\(command.joined(separator: " "))` failed: \(errors)")
    }
}

func isSubcommand(_ binary: String, _ path: [String], _ word: String) -> Bool {
    guard let text = help(binary, path) else { return path.isEmpty }
    guard let range = text.range(of: "SUBCOMMANDS:") else { return false }
    return text[range.upperBound...].split(separator: "\n").contains {
        trimmed($0).hasPrefix(word + " ") || trimmed($0) == word
    }
}

var exampleNamesCache: Set<String>?
func exampleNames(_ binary: String) -> Set<String> {
    if let exampleNamesCache { return exampleNamesCache }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: binary)
    process.arguments = ["objdump", "--list-examples"]
    let pipe = Pipe()
    process.standardOutput = pipe
    try? process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let names = Set(String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap {
        $0.split(separator: "\t").first.map(String.init)
    })
    exampleNamesCache = names
    return names
}

/// A fenced code block: its lines (the fence's indentation removed), the line its body starts on, and the text
/// of the last non-blank line before it (where its marker comment must be).
struct CodeBlock {
    var body: [String]
    var firstLine: Int
    var marker: String
}

func codeBlocks(in text: [String]) -> [CodeBlock] {
    var blocks: [CodeBlock] = []
    var lastNonBlank = ""
    var i = 0
    while i < text.count {
        let t = trimmed(text[i])
        guard t.hasPrefix("```") || t.hasPrefix("~~~") else {
            if !t.isEmpty { lastNonBlank = t }
            i += 1
            continue
        }
        let fence = String(t.prefix(3)), indent = indentation(text[i])
        var body: [String] = []
        var j = i + 1
        while j < text.count, !trimmed(text[j]).hasPrefix(fence) {
            body.append(String(text[j].dropFirst(min(indent, indentation(text[j])))))
            j += 1
        }
        blocks.append(CodeBlock(body: body, firstLine: i + 2, marker: lastNonBlank))
        lastNonBlank = ""
        i = j + 1
    }
    return blocks
}

/// `NAME` from `<!-- KIND: NAME -->`.
func markerArgument(_ marker: String, _ kind: String) -> String? {
    let prefix = "<!-- \(kind): "
    guard marker.hasPrefix(prefix), marker.hasSuffix(" -->") else { return nil }
    return String(marker.dropFirst(prefix.count).dropLast(" -->".count))
}

func checkSnippetBlock(_ block: CodeBlock, _ target: String, file: String) {
    let parts = target.split(separator: "#", maxSplits: 1).map(String.init)
    guard let expected = visibleCode(ofSnippet: parts[0], slice: parts.count > 1 ? parts[1] : nil) else {
        problem(file, block.firstLine - 1, "no snippet \(parts[0])")
        return
    }
    let actual = stripBlankEnds(block.body)
    guard actual != expected else { return }
    let common = min(actual.count, expected.count)
    let at = (0..<common).first { actual[$0] != expected[$0] } ?? common
    func show(_ lines: [String]) -> String { at < lines.count ? "`\(lines[at])`" : "no more lines" }
    problem(file, block.firstLine + at,
            "differs from \(target): the block has \(show(actual)), the snippet \(show(expected))")
}

func checkExcerptBlock(_ block: CodeBlock, _ target: String, file: String) {
    guard let source = lines(of: target) else {
        problem(file, block.firstLine - 1, "no file \(target)")
        return
    }
    var paragraphs: [(line: Int, lines: [String])] = []
    var current: (line: Int, lines: [String])?
    for (offset, line) in block.body.enumerated() {
        if trimmed(line).isEmpty {
            if let c = current { paragraphs.append(c) }
            current = nil
        } else {
            current = (current?.line ?? block.firstLine + offset, (current?.lines ?? []) + [line])
        }
    }
    if let c = current { paragraphs.append(c) }
    var from = 0
    for paragraph in paragraphs {
        let indent = paragraph.lines.map(indentation).min() ?? 0
        let dedented = paragraph.lines.map { String($0.dropFirst(indent)) }
        guard let next = findChunk(dedented, in: source, from: from) else {
            problem(file, paragraph.line, "not in \(target) (in this order): `\(dedented[0])` ...")
            return
        }
        from = next
    }
}

func checkMarkdown(_ file: String, binary: String) -> Int {
    guard let text = lines(of: file) else {
        problem(file, 0, "cannot read")
        return 0
    }
    let blocks = codeBlocks(in: text)
    for block in blocks {
        if let target = markerArgument(block.marker, "snippet") {
            checkSnippetBlock(block, target, file: file)
        } else if let target = markerArgument(block.marker, "excerpt") {
            checkExcerptBlock(block, target, file: file)
        } else if block.marker == "<!-- commands -->" {
            checkCommands(block.body, file: file, firstLine: block.firstLine, binary: binary)
        } else {
            problem(file, block.firstLine - 1, "a code block needs a <!-- snippet: ... -->, <!-- excerpt: ... --> "
                + "or <!-- commands --> comment before it (see Scripts/docs/check-code-blocks.swift)")
        }
    }
    return blocks.count
}

func checkDocComments(under folder: String) {
    guard let files = FileManager.default.enumerator(atPath: folder) else { return }
    for case let name as String in files where name.hasSuffix(".swift") {
        let path = folder + "/" + name
        var inBlock = false
        for (n, line) in (lines(of: path) ?? []).enumerated() {
            let t = trimmed(line)
            guard t.hasPrefix("///"), trimmed(t.dropFirst(3)).hasPrefix("```") else { continue }
            if !inBlock {
                problem(path, n + 1, "a code block in a doc comment is compiled by nothing: make it a snippet and "
                    + "show it from the catalog (@Snippet in a documentation extension)")
            }
            inBlock.toggle()
        }
    }
}

var arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count >= 1 else {
    print("usage: check-code-blocks.swift URING_BPF_BINARY FILE.md ... [--doc-comments FOLDER ...]")
    exit(2)
}
let binary = arguments.removeFirst()
var markdown: [String] = [], folders: [String] = []
if let split = arguments.firstIndex(of: "--doc-comments") {
    markdown = Array(arguments[..<split])
    folders = Array(arguments[(split + 1)...])
} else {
    markdown = arguments
}
var blocks = 0
for file in markdown { blocks += checkMarkdown(file, binary: binary) }
for folder in folders { checkDocComments(under: folder) }
if problems.isEmpty {
    print("check-code-blocks: \(blocks) code blocks in \(markdown.count) files match compiled code; "
        + "no code in the doc comments of \(folders.count) modules")
} else {
    for p in problems { print(p) }
    print("check-code-blocks: \(problems.count) problem\(problems.count == 1 ? "" : "s")")
    exit(1)
}
