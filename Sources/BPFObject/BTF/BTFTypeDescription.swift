extension BTF {
    /// A short C-like spelling of type `id` for listings: `int`, `struct iou_ctx *`,
    /// `__u32[4]`, `int (struct iou_ctx *, __u32)`. Never throws; bad IDs print as `<bad type N>`.
    public func typeDescription(_ id: UInt32, depth: Int = 0) -> String {
        guard depth < 16 else { return "..." }
        guard id != 0 else { return "void" }
        guard let t = try? type(id) else { return "<bad type \(id)>" }
        let next = depth + 1
        switch t.body {
        case let .reference(r):
            switch t.kind {
            case .pointer: return typeDescription(r, depth: next) + " *"
            case .const: return "const " + typeDescription(r, depth: next)
            case .volatile: return "volatile " + typeDescription(r, depth: next)
            case .restrict: return typeDescription(r, depth: next) + " restrict"
            case .typeTag: return typeDescription(r, depth: next) + " __tag(\(t.name))"
            default: return t.name
            }
        case let .array(element, _, count): return "\(typeDescription(element, depth: next))[\(count)]"
        case .members: return "\(t.kind == .union ? "union" : "struct") \(t.name.isEmpty ? "<anon>" : t.name)"
        case .enumerators: return "enum \(t.name.isEmpty ? "<anon>" : t.name)"
        case .forward: return "\(t.kindFlag ? "union" : "struct") \(t.name)"
        case let .function(proto, _): return "\(t.name): \(typeDescription(proto, depth: next))"
        case let .prototype(ret, params):
            let list = params.map { $0.type == 0 ? "..." : typeDescription($0.type, depth: next) }
            return "\(typeDescription(ret, depth: next)) (\(list.joined(separator: ", ")))"
        case let .variable(type, _): return typeDescription(type, depth: next)
        case .dataSection: return "section \(t.name)"
        case .declTag(let type, _): return "tag \(t.name) on \(typeDescription(type, depth: next))"
        default: return t.name.isEmpty ? "\(t.kind)" : t.name
        }
    }
}
