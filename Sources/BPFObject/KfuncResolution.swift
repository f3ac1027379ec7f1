extension BTF {
    /// Whether type `local` of `localBTF` is compatible with type `target` of
    /// `targetBTF`, the check libbpf makes before binding a kfunc: modifiers and
    /// typedefs are skipped; pointers, arrays and function prototypes are
    /// compared structurally; structs, unions, enums and floats only by kind
    /// (a forward declaration matches a struct or union); ints by size.
    public static func isCompatible(_ local: UInt32, in localBTF: BTF, with target: UInt32, in targetBTF: BTF) -> Bool {
        func compatible(_ l: UInt32, _ t: UInt32, depth: Int) -> Bool {
            guard depth < 32, let lr = try? localBTF.resolve(l), let tr = try? targetBTF.resolve(t),
                let lt = try? localBTF.type(lr), let tt = try? targetBTF.type(tr)
            else { return false }
            switch (lt.kind, tt.kind) {
            case (.void, .void): return true
            case (.forward, .struct), (.forward, .union), (.struct, .forward), (.union, .forward),
                (.forward, .forward), (.struct, .struct), (.union, .union), (.float, .float),
                (.enum, .enum), (.enum, .enum64), (.enum64, .enum), (.enum64, .enum64):
                return true
            case (.int, .int):
                guard case .int(let ls, _, _, _) = lt.body, case .int(let ts, _, _, _) = tt.body else { return false }
                return ls == ts
            case (.pointer, .pointer):
                guard case .reference(let lp) = lt.body, case .reference(let tp) = tt.body else { return false }
                return compatible(lp, tp, depth: depth + 1)
            case (.array, .array):
                guard case .array(let le, _, _) = lt.body, case .array(let te, _, _) = tt.body else { return false }
                return compatible(le, te, depth: depth + 1)
            case (.functionPrototype, .functionPrototype):
                guard case .prototype(let lret, let lparams) = lt.body, case .prototype(let tret, let tparams) = tt.body,
                    lparams.count == tparams.count
                else { return false }
                return compatible(lret, tret, depth: depth + 1)
                    && zip(lparams, tparams).allSatisfy { compatible($0.type, $1.type, depth: depth + 1) }
            default:
                return false
            }
        }
        return compatible(local, target, depth: 0)
    }
}

extension Extern {
    /// Finds this kfunc in kernel BTF: the FUNC named like the extern (a
    /// `___flavour` suffix is ignored) whose prototype is compatible with the
    /// object's. Returns its type ID (the call's `imm`), or nil for a weak
    /// kfunc the kernel does not have (the loader poisons such calls).
    public func resolveKfunc(localBTF: BTF, kernelBTF: BTF) throws(ObjectFileError) -> UInt32? {
        guard kind == .function, let prototypeID else {
            throw .badSymbol(index: 0, name: name, reason: "not a kfunc extern")
        }
        let essential = BTF.essentialName(name)
        let candidates = kernelBTF.typeIDs(named: essential, kind: .function)
        guard !candidates.isEmpty else {
            if isWeak { return nil }
            throw .missing(what: "kfunc \(name)", reason: "not found in the kernel BTF")
        }
        for id in candidates {
            guard case .function(let kernelProto, _) = try? kernelBTF.type(id).body else { continue }
            if BTF.isCompatible(prototypeID, in: localBTF, with: kernelProto, in: kernelBTF) { return id }
        }
        throw .missing(what: "kfunc \(name)", reason: "the kernel's prototype \(kernelBTF.typeDescription(candidates[0])) is incompatible with \(localBTF.typeDescription(prototypeID))")
    }
}
