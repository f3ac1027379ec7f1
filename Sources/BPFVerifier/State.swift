/// What one byte of a stack slot holds (the kernel's `slot_type`).
enum StackByte: UInt8, Hashable, Sendable {
    /// `STACK_INVALID`: never written (readable by root: `allow_uninit_stack`).
    case invalid = 0
    /// `STACK_SPILL`: part of a spilled register, kept in `StackSlot.spilled`.
    case spill
    /// `STACK_MISC`: some data.
    case misc
    /// `STACK_ZERO`: known zero.
    case zero
}

/// One 8-byte stack slot: what each byte holds and, for a spill, the register spilled (`bpf_stack_state`).
struct StackSlot: Hashable, Sendable {
    /// Byte kinds; index 7 is the lowest address of the slot (the kernel's order).
    var bytes: SIMD8<UInt8> = .zero
    var spilled: Register = .uninitialized

    static let empty = StackSlot()

    func byte(_ i: Int) -> StackByte { StackByte(rawValue: bytes[i])! }
    mutating func setByte(_ i: Int, _ kind: StackByte) { bytes[i] = kind.rawValue }

    /// `is_spilled_reg`: the slot's lowest byte is part of a spill.
    var isSpill: Bool { bytes[7] == StackByte.spill.rawValue }
    /// A whole-slot spill of `spilled`.
    var isFullSpill: Bool { bytes == SIMD8(repeating: StackByte.spill.rawValue) }
}

/// The state of one function's frame: registers and stack (`bpf_func_state`).
struct Frame: Hashable, Sendable {
    var registers: [Register]
    /// Slots from the frame pointer down: `stack[0]` covers `r10-8 ..< r10`.
    var stack: [StackSlot] = []
    /// The instruction index of the call that created this frame (-1 for the entry function).
    var callsite: Int
    /// The first instruction of this frame's function.
    var functionStart: Int
    /// Frame number (0 = entry function).
    var number: Int
    /// Set for a callback frame (`bpf_loop`): its r0 must be in `callbackReturnRange` at exit.
    var callbackReturnRange: ClosedRange<Int64>? = nil
    /// Iterations of the callback this frame's `bpf_loop` call has explored so far (`callback_depth`).
    var callbackDepth = 0

    init(number: Int, callsite: Int, functionStart: Int) {
        self.number = number
        self.callsite = callsite
        self.functionStart = functionStart
        registers = Array(repeating: .uninitialized, count: 11)
        registers[10] = .pointer(Pointer(.stack(frame: number)))
    }

    /// Grows the stack so slot `index` exists.
    mutating func ensureSlot(_ index: Int) {
        if stack.count <= index { stack += Array(repeating: .empty, count: index + 1 - stack.count) }
    }

    func slot(_ index: Int) -> StackSlot { index < stack.count ? stack[index] : .empty }
}

/// The whole abstract state at an instruction: the call chain of frames (`bpf_verifier_state`).
struct VerifierState: Hashable, Sendable {
    var frames: [Frame]

    var current: Frame {
        get { frames[frames.count - 1] }
        _modify { yield &frames[frames.count - 1] }
    }

    var currentFrameNumber: Int { frames.count - 1 }

    subscript(register r: UInt8) -> Register {
        get { frames[frames.count - 1].registers[Int(r)] }
        set { frames[frames.count - 1].registers[Int(r)] = newValue }
    }

    /// Reads every register and spilled register in every frame.
    func forEachRegisterRead(_ body: (Register) -> Void) {
        for frame in frames {
            for r in frame.registers { body(r) }
            for s in frame.stack where s.isSpill { body(s.spilled) }
        }
    }

    /// Applies `body` to every register and spilled register in every frame (`bpf_for_each_reg_in_vstate`).
    mutating func forEachRegister(_ body: (inout Register) -> Void) {
        for f in frames.indices {
            for r in frames[f].registers.indices { body(&frames[f].registers[r]) }
            for s in frames[f].stack.indices where frames[f].stack[s].isSpill {
                body(&frames[f].stack[s].spilled)
            }
        }
    }
}
