import BPFObject

/// Finds an object's global variables by name across its global-data sections (`.data`, `.rodata`, `.bss`, ...),
/// for the staging image before load and for the mapped maps after.
struct GlobalVariableIndex: Sendable {
    /// Global-data sections in object order.
    let sections: [GlobalData]

    init(_ object: ObjectFile) {
        sections = object.maps.compactMap(\.globalData)
    }

    /// The variable `name`, in `section` if given; the name must be unique otherwise.
    func locate(_ name: String, in section: String?) throws(BPFLoaderError) -> (section: GlobalData, variable: GlobalVariable) {
        var found: [(GlobalData, GlobalVariable)] = []
        for data in sections where section == nil || data.sectionName == section {
            if let variable = data.variable(named: name) { found.append((data, variable)) }
        }
        switch found.count {
        case 1: return found[0]
        case 0:
            if let section, !sections.contains(where: { $0.sectionName == section }) {
                throw BPFLoaderError(.usage, "the object has no global-data section \(section)")
            }
            let all = sections.flatMap { data in data.variables.map { "\(data.sectionName):\($0.name)" } }
            throw BPFLoaderError(
                .usage,
                "the object has no global variable \(name)\(section.map { " in \($0)" } ?? "") "
                    + "(globals: \(all.isEmpty ? "none" : all.joined(separator: ", ")))")
        default:
            throw BPFLoaderError(
                .usage,
                "global variable \(name) exists in \(found.map(\.0.sectionName).joined(separator: " and ")); "
                    + "name the section")
        }
    }

    /// Checks that a `T` fits the variable exactly.
    static func checkSize<T>(_ type: T.Type, _ variable: GlobalVariable, _ section: GlobalData) throws(BPFLoaderError) {
        guard MemoryLayout<T>.size == variable.size else {
            throw BPFLoaderError(
                .usage,
                "global \(variable.name) in \(section.sectionName) is \(variable.size) bytes, but \(T.self) is "
                    + "\(MemoryLayout<T>.size)")
        }
    }
}
