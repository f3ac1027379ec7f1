import BPF

/// Calls and exits: helpers (`check_helper_call`), kfuncs (`check_kfunc_call`), bpf-to-bpf calls
/// (`check_func_call`), `bpf_loop` callbacks, and returns (`prepare_func_exit`, `check_return_code`).
extension VerifierRun {
    /// `MAX_CALL_FRAMES` of Linux 7.2: 16 (the VM check found 16 nested frames accepted and 17 refused).
    static let maxFrames = 16

    mutating func call(_ insn: Instruction, at pc: Int) throws(Failure) {
        switch program.callTarget(at: pc) {
        case .helper(let id): try helperCall(id, at: pc)
        case .kfunc(let name): try kfuncCall(name, at: pc)
        case .subprogram(let start): try subprogramCall(start, at: pc)
        }
    }

    /// r1-r5 are clobbered by every call; r0 gets the result.
    mutating func clobberArguments() {
        for r: UInt8 in 1...5 { set(r, .uninitialized) }
    }

    // MARK: Helpers

    mutating func helperCall(_ id: Int32, at pc: Int) throws(Failure) {
        guard let proto = Helpers.prototype(id) else {
            throw .invalid(
                "program of this type cannot use helper \(Helpers.name(id))#\(id)",
                "Helper \(Helpers.name(id)) (#\(id)) is not one a struct_ops loop_step may call (only the base helpers are).")
        }
        var map: Int? = nil
        var callback: Int? = nil
        var mapKey: UInt64? = nil
        for (i, type) in proto.arguments.enumerated() {
            let r = UInt8(i + 1)
            let value = try readable(r)
            switch type {
            case .anything, .scalar:
                break
            case .map:
                guard case .pointer(let p) = value, case .map(let m) = p.kind else {
                    throw argumentType(r, value, expected: "map_ptr", proto)
                }
                map = m
            case .mapKey, .mapValue:
                guard let m = map else {
                    throw .access("invalid map_ptr to access map->\(type == .mapKey ? "key" : "value")", "\(proto.name) needs a map argument first.", [r])
                }
                let size = type == .mapKey ? program.maps[m].keySize : program.maps[m].valueSize
                try helperMemory(r, value, size: size, proto: proto, write: false)
                if type == .mapKey, let key = constantStackKey(value, size: size) {
                    mapKey = key.value
                    markPrecise([], slots: [(key.frame, key.slot)])
                }
            case .readableMemory:
                let sizeRegister = UInt8(i + 2)
                let sizeValue = try readable(sizeRegister)
                guard case .scalar(let s, _) = sizeValue else {
                    throw .access("R\(sizeRegister) type=\(sizeValue.typeName) expected=scalar", "The size argument of \(proto.name) must be a number.", [sizeRegister])
                }
                if s.smin < 0 {
                    throw .access(
                        "R\(sizeRegister) min value is negative, either use unsigned or 'var &= const'",
                        "The size passed to \(proto.name) may be negative.", [sizeRegister])
                }
                if s.umin == 0 {
                    throw .access(
                        "R\(sizeRegister) invalid zero-sized read: u64=[\(s.umin),\(s.umax)]",
                        "The size passed to \(proto.name) may be 0.", [sizeRegister])
                }
                if s.umax >= UInt64(maxVariableOffset) {
                    throw .access(
                        "R\(sizeRegister) unbounded memory access, use 'var &= const' or 'if (var < const)'",
                        "The size passed to \(proto.name) has no upper bound.", [sizeRegister])
                }
                try helperMemory(r, value, size: Int(s.umax), proto: proto, write: false)
                markPrecise([sizeRegister])
            case .constantSize:
                break  // checked with the memory argument before it
            case .callback:
                guard case .pointer(let p) = value, case .function(let start) = p.kind else {
                    throw argumentType(r, value, expected: "func", proto)
                }
                callback = start
            case .stackOrNull:
                if case .scalar(let s, _) = value, s.isZero { break }
                guard case .pointer(let p) = value, case .stack = p.kind else {
                    throw argumentType(r, value, expected: "fp", proto)
                }
            case .kernelStruct, .bufferSize:
                break
            }
        }
        if id == Helpers.loop, let callback {
            // bpf_loop runs the callback at most nr_loops (r1) times: the verifier explores that many iterations
            // at most, so r1's value matters.
            markPrecise([1])
            let iterations = path.state[register: 1].scalar?.umax ?? .max
            if UInt64(path.state.current.callbackDepth) < iterations {
                try pushCallback(callback, at: pc)
            }
            path.state.current.callbackDepth = 0
        }
        clobberArguments()
        switch proto.returns {
        case .integer, .sizedMemory:
            set(0, .unknownScalar)
        case .mapValueOrNull:
            let m = map!
            let info = program.maps[m]
            let elided = (info.type == .array || info.type == .perCPUArray) && mapKey.map { $0 < UInt64(info.maxEntries) } == true
            set(0, .pointer(Pointer(.mapValue(map: m), maybeNull: !elided, id: elided ? 0 : newID())))
        }
        path.pc = pc + 1
    }

    func argumentType(_ r: UInt8, _ value: Register, expected: String, _ proto: Prototype) -> Failure {
        .access(
            "R\(r) type=\(value.typeName) expected=\(expected)",
            "Argument \(r) of \(proto.name) must be \(expected == "fp" ? "a stack pointer" : expected == "func" ? "a static function's address" : "a \(expected)"), not \(value.typeName).",
            [r])
    }

    /// `check_helper_mem_access`: `size` bytes at the pointer in `r` must be accessible.
    mutating func helperMemory(_ r: UInt8, _ value: Register, size: Int, proto: Prototype, write: Bool) throws(Failure) {
        guard case .pointer(let p) = value, !p.maybeNull else {
            throw argumentType(r, value, expected: "fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_", proto)
        }
        switch p.kind {
        case .stack(let frame):
            try stackRangeReadable(r, p, frame: frame, offset: p.offset, size: size)
        case .mapValue(let m):
            try checkRegion(r, p, offset: p.offset, size: size, limit: program.maps[m].valueSize, describe: .mapValue)
        case .memory(let memSize, _):
            try checkRegion(r, p, offset: p.offset, size: size, limit: memSize, describe: .memory)
        default:
            throw argumentType(r, value, expected: "fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_", proto)
        }
    }

    /// The constant key a stack pointer points to (`get_constant_map_key`), if any.
    func constantStackKey(_ value: Register, size: Int) -> (value: UInt64, frame: Int, slot: Int)? {
        guard case .pointer(let p) = value, case .stack(let frame) = p.kind, p.variable.isConstant else { return nil }
        let at = p.offset + Int64(bitPattern: p.variable.bits.value)
        guard at < 0 else { return nil }
        let slotIndex = Int((-at - 1) / 8), byte = Int((-at - 1) % 8)
        let slot = path.state.frames[frame].slot(slotIndex)
        var zeros = 0
        var i = byte
        while i >= 0 && slot.byte(i) == .zero { zeros += 1; i -= 1 }
        if zeros >= size { return (0, frame, slotIndex) }
        guard slot.isSpill, case .scalar(let s, _) = slot.spilled else { return nil }
        var spill = 0
        i = byte
        while i >= 0 && slot.byte(i) == .spill { spill += 1; i -= 1 }
        guard spill == size, let key = s.constantValue else { return nil }
        return (key, frame, slotIndex)
    }

    /// `bpf_loop`: the callback runs in its own frame; it is explored as a branch that comes back to the call.
    mutating func pushCallback(_ start: Int, at pc: Int) throws(Failure) {
        guard path.state.frames.count < Self.maxFrames else {
            throw Failure(.argListTooLong, "the call stack of \(path.state.frames.count + 1) frames is too deep", "Calls nest deeper than \(Self.maxFrames) frames.")
        }
        var state = path.state
        state.current.callbackDepth += 1
        var frame = Frame(number: state.frames.count, callsite: pc, functionStart: start)
        frame.registers[1] = .unknownScalar
        frame.registers[2] = state[register: 3]
        frame.callbackReturnRange = 0...1
        state.frames.append(frame)
        deepestFrames = max(deepestFrames, state.frames.count)
        callEdges.insert([state.frames[state.frames.count - 2].functionStart, start])
        try push(state, at: start)
    }

    // MARK: kfuncs

    mutating func kfuncCall(_ name: String, at pc: Int) throws(Failure) {
        guard let proto = Kfuncs.prototype(name) else {
            throw .access("calling kernel function \(name) is not allowed", "kfunc \(name) is not registered for struct_ops io_uring_bpf_ops.")
        }
        if proto.isSleepable && !program.program.isSleepable {
            throw .access(
                "program must be sleepable to call sleepable kfunc \(proto.name)",
                "\(proto.name) may sleep, so only sleepable programs (SEC(\"struct_ops.s/...\")) may call it; this one is in \(program.program.sectionName).")
        }
        var bufferSize: UInt64? = nil
        for (i, type) in proto.arguments.enumerated() {
            let r = UInt8(i + 1)
            let value = try readable(r)
            switch type {
            case .scalar, .bufferSize:
                guard case .scalar(let s, _) = value else {
                    throw .invalid("R\(r) is not a scalar", "Argument \(r) of \(proto.name) is a number, not \(value.typeName).", [r])
                }
                if type == .bufferSize {
                    guard let size = s.constantValue else {
                        throw .invalid(
                            "R\(r) is not a const",
                            "The size argument (rdwr_buf_size) of \(proto.name) must be a constant the verifier knows, e.g. computed from const volatile .rodata.",
                            [r])
                    }
                    bufferSize = size
                    markPrecise([r])
                }
            case .kernelStruct(let structName):
                try kfuncStructArgument(r, value, structName, proto: proto, index: i)
            default:
                break
            }
        }
        clobberArguments()
        switch proto.returns {
        case .sizedMemory:
            let size = bufferSize ?? 0
            // A zero size falls back to the pointee's size (__u8): one read-only byte, as the kernel does.
            let kind: PointerKind = size == 0 ? .memory(size: 1, readOnly: true) : .memory(size: Int(truncatingIfNeeded: size), readOnly: false)
            set(0, .pointer(Pointer(kind, maybeNull: proto.returnsNull, id: proto.returnsNull ? newID() : 0)))
        default:
            set(0, .unknownScalar)
        }
        path.pc = pc + 1
    }

    /// A kfunc's `struct X *` argument: a trusted pointer to X (an empty X also takes any memory, as zero bytes).
    func kfuncStructArgument(_ r: UInt8, _ value: Register, _ structName: String, proto: Prototype, index: Int) throws(Failure) {
        if case .scalar(let s, _) = value, s.isZero {
            throw .access("Possibly NULL pointer passed to trusted R\(r)", "Argument \(r) of \(proto.name) must not be NULL.", [r])
        }
        if case .pointer(let p) = value, p.maybeNull {
            throw .access("Possibly NULL pointer passed to trusted R\(r)", "Argument \(r) of \(proto.name) may be NULL: check it first.", [r])
        }
        guard case .pointer(let p) = value else {
            throw .access("R\(r) type=\(value.typeName) expected=fp", "Argument \(r) of \(proto.name) must be a pointer to struct \(structName).", [r])
        }
        if case .kernelStruct(let s) = p.kind {
            guard s.name == structName else {
                throw .invalid(
                    "kernel function \(proto.name) args#\(index) expected pointer to STRUCT \(structName) but R\(r) has a pointer to STRUCT \(s.name)",
                    "Argument \(r) of \(proto.name) must point to struct \(structName), not struct \(s.name).", [r])
            }
            if p.offset != 0 {
                throw .invalid(
                    "R\(r) must have zero offset when passed to release func or trusted arg to kfunc",
                    "Argument \(r) of \(proto.name) must be the struct \(structName) pointer itself, not moved by \(p.offset).", [r])
            }
            return
        }
        // struct iou_ctx is empty: the kernel treats other memory as a zero-byte buffer argument.
        switch p.kind {
        case .stack, .mapValue, .memory: return
        default:
            throw .access("R\(r) type=\(p.typeName) expected=fp", "Argument \(r) of \(proto.name) must point to struct \(structName).", [r])
        }
    }

    // MARK: bpf-to-bpf calls

    mutating func subprogramCall(_ start: Int, at pc: Int) throws(Failure) {
        guard path.state.frames.count < Self.maxFrames else {
            throw Failure(
                .argListTooLong, "the call stack of \(path.state.frames.count + 1) frames is too deep",
                "Calling \(program.functionName(start)) would nest \(path.state.frames.count + 1) frames; the limit is \(Self.maxFrames).")
        }
        var frame = Frame(number: path.state.frames.count, callsite: pc, functionStart: start)
        for r: UInt8 in 1...5 { frame.registers[Int(r)] = path.state[register: r] }
        callEdges.insert([path.state.current.functionStart, start])
        for r: UInt8 in 0...5 { set(r, .uninitialized) }
        path.state.frames.append(frame)
        clearPreciseMarks(depth: path.state.frames.count - 1)
        deepestFrames = max(deepestFrames, path.state.frames.count)
        path.pc = start
    }

    /// A frame comes or goes: nothing in it is known precise.
    mutating func clearPreciseMarks(depth: Int) {
        path.precise.registers[depth] = 0
        path.precise.slots[depth] = 0
    }

    // MARK: exit

    mutating func exit(at pc: Int) throws(Failure) -> StepResult {
        if path.state.frames.count > 1 {
            let callee = path.state.current
            let r0 = callee.registers[0]
            if let range = callee.callbackReturnRange {
                guard case .scalar(let s, _) = r0 else {
                    if !r0.isInitialized { _ = try readable(0) }
                    throw .access("R0 not a scalar value", "A callback must return a number.", [0])
                }
                markPrecise([0])
                if s.smin < range.lowerBound || s.smax > range.upperBound {
                    let value = s.isConstant ? "has smin=\(s.smin) smax=\(s.smax)" : "has smin=\(s.smin) smax=\(s.smax)"
                    throw .invalid(
                        "At callback return the register R0 \(value) should have been in [\(range.lowerBound), \(range.upperBound)]",
                        "A bpf_loop callback must return 0 (continue) or 1 (stop); this one may return \(s).", [0])
                }
                path.state.frames.removeLast()
                clearPreciseMarks(depth: path.state.frames.count)
                path.history[path.history.count - 1].isCallbackExit = true
                // Back to the bpf_loop call, which may run the callback again.
                path.pc = callee.callsite
                widenAfterCallback(callsite: callee.callsite)
                return .next
            }
            if case .pointer(let p) = r0, case .stack = p.kind {
                throw .invalid(
                    "cannot return stack pointer to the caller",
                    "\(program.functionName(callee.functionStart)) returns a pointer to its own stack, which is gone after it returns.", [0])
            }
            path.state.frames.removeLast()
            clearPreciseMarks(depth: path.state.frames.count)
            set(0, r0)
            path.pc = callee.callsite + 1
            return .next
        }
        _ = try readable(0)
        return .exit
    }
}
