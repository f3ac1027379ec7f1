import BPF

/// A call memo: the last result of a cacheable kfunc call at one instruction (`HostFunctions.registerKfunc`'s
/// `cacheableOn`), with the arguments it was computed for. Eight words in the context: valid, r1…r5, r0, unused.
/// `JITRunner` clears every `valid` when the memory map's generation moves (as it empties the site windows), so a
/// memo answers only under the map it was filled under.
enum CallMemo {
    static let size = 64
    static let validWord: Int32 = 0
    static func argumentWord(_ n: Int) -> Int32 { Int32(8 * n) }
    static let resultWord: Int32 = 48
}

extension JITCompiler {
    /// A call whose memo, if valid and filled for the same first `arguments` registers, gives r0 without leaving
    /// machine code; otherwise the host call, which then refills the memo (after it: the call may have moved the
    /// generation, which cleared every memo, and its result is the one for the map as it is now).
    mutating func emitCachedCall(_ s: Slot, at index: Int, arguments: Int) {
        let memo = memosOffset + Int32(memoCount * CallMemo.size)
        memoCount += 1
        func word(_ offset: Int32) -> X86Memory { X86Memory(Self.context, memo + offset) }
        let call = asm.makeLabel(), done = asm.makeLabel()
        asm.alu(.cmp, word(CallMemo.validWord), immediate: 0)
        asm.jcc(.equal, call)
        for n in stride(from: 1, through: arguments, by: 1) {
            asm.alu(.cmp, reg(UInt8(n)), word(CallMemo.argumentWord(n)))
            asm.jcc(.notEqual, call)
        }
        asm.load(reg(0), word(CallMemo.resultWord), .qword)
        asm.jmp(done)
        asm.bind(call)
        emitHostCall(s.imm, at: index)
        for n in stride(from: 1, through: arguments, by: 1) {
            asm.store(word(CallMemo.argumentWord(n)), reg(UInt8(n)), .qword)
        }
        asm.store(word(CallMemo.resultWord), reg(0), .qword)
        asm.store(word(CallMemo.validWord), immediate: 1, .qword)
        asm.bind(done)
    }
}
