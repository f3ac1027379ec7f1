/// A program decoded for execution, its helper and kfunc calls bound to a table of host functions: what both
/// engines (the interpreter here, the JIT in BPFJIT) run, so they decode and bind a program identically.
package struct BoundProgram {
    /// One pre-decoded slot per instruction slot (the second slot of an `lddw` decodes to a never-executed `exit`).
    /// A bound helper or kfunc call is `.callHelper` with the table index in `imm`; an unbound one `.unboundCall`.
    package let slots: [Slot]
    /// The host functions calls refer to, by table index: registered helpers sorted by id, then the kfuncs the
    /// program calls, in order of first use.
    package let hostEntries: [HostFunctions.Entry]
    /// Table index of each registered helper id (what `callx` looks up at run time).
    package let helperIndex: [Int32: Int]

    /// Decodes `program` and binds its calls to `functions`. Calls to helpers or kfuncs missing from `functions`
    /// decode to `.unboundCall` (they fail when executed).
    package init(program: Program, functions: HostFunctions) {
        var entries: [HostFunctions.Entry] = []
        var helperIndex: [Int32: Int] = [:]
        for (id, entry) in functions.helpers.sorted(by: { $0.key < $1.key }) {
            helperIndex[id] = entries.count
            entries.append(entry)
        }
        var kfuncIndex: [String: Int] = [:]
        func kfunc(_ entry: HostFunctions.Entry) -> Int {
            if let i = kfuncIndex[entry.name] { return i }
            kfuncIndex[entry.name] = entries.count
            entries.append(entry)
            return entries.count - 1
        }
        var slots: [Slot] = []
        slots.reserveCapacity(program.instructions.count)
        let instructions = program.instructions
        for index in instructions.indices {
            let insn = instructions[index]
            slots.append(
                Slot.decode(insn, at: index, in: program) { insn, index in
                    if insn.src == ISA.CallKind.helper { return helperIndex[insn.imm] }
                    if let name = program.kfuncBindings[index] {
                        return functions.kfuncsByName[name].map(kfunc)
                    }
                    return functions.kfuncsByID[insn.imm].map(kfunc)
                })
        }
        self.slots = slots
        self.hostEntries = entries
        self.helperIndex = helperIndex
    }
}

extension Program {
    /// The error of executing the unbound helper or kfunc call at `index`.
    package func unboundCallError(at index: Int) -> RuntimeError {
        let insn = instructions[index]
        if insn.src == ISA.CallKind.kfunc {
            return RuntimeError(index: index, reason: .unknownKfunc(name: kfuncBindings[index], btfID: insn.imm))
        }
        return RuntimeError(index: index, reason: .unknownHelper(id: Int64(insn.imm)))
    }
}
