@testable import BPFJIT
import Testing

/// The encoder against LLVM's: each instruction below was assembled with `llvm-mc -show-encoding` (AT&T syntax,
/// as listed), covering the operand forms the JIT uses: extended registers, rsp/r12 bases (SIB), rbp/r13 bases
/// (forced displacement), disp8/disp32, byte registers that need REX, 16-bit operands, immediates of each size.
@Suite struct X86AssemblerTests {
    static let cases: [(String, [UInt8], @Sendable (inout X86Assembler) -> Void)] = [
        ("mov %rdi, %rax", [0x48, 0x89, 0xf8], { a in a.mov(.rax, .rdi) }),
        ("mov %esi, %r8d", [0x41, 0x89, 0xf0], { a in a.mov(.r8, .rsi, .dword) }),
        ("movl $0x12345678, %r9d", [0x41, 0xb9, 0x78, 0x56, 0x34, 0x12], { a in a.mov(.r9, immediate: 0x1234_5678) }),
        ("movabsq $0x123456789abcdef0, %r11", [0x49, 0xbb, 0xf0, 0xde, 0xbc, 0x9a, 0x78, 0x56, 0x34, 0x12], { a in a.mov(.r11, immediate: 0x1234_5678_9abc_def0) }),
        ("movq $-5, %rbx", [0x48, 0xc7, 0xc3, 0xfb, 0xff, 0xff, 0xff], { a in a.mov(.rbx, immediate: UInt64(bitPattern: -5)) }),
        ("movzbl 7(%rsi), %ecx", [0x0f, 0xb6, 0x4e, 0x07], { a in a.load(.rcx, X86Memory(.rsi, 7), .byte) }),
        ("movzwl -8(%rbp), %r14d", [0x44, 0x0f, 0xb7, 0x75, 0xf8], { a in a.load(.r14, X86Memory(.rbp, -8), .word) }),
        ("movl 0x100(%r12), %eax", [0x41, 0x8b, 0x84, 0x24, 0x00, 0x01, 0x00, 0x00], { a in a.load(.rax, X86Memory(.r12, 0x100), .dword) }),
        ("movq (%r13), %r15", [0x4d, 0x8b, 0x7d, 0x00], { a in a.load(.r15, X86Memory(.r13), .qword) }),
        ("movsbq 1(%rdi), %rdx", [0x48, 0x0f, 0xbe, 0x57, 0x01], { a in a.loadSignExtended(.rdx, X86Memory(.rdi, 1), .byte) }),
        ("movswq (%rsp), %rsi", [0x48, 0x0f, 0xbf, 0x34, 0x24], { a in a.loadSignExtended(.rsi, X86Memory(.rsp), .word) }),
        ("movslq 4(%r8), %rax", [0x49, 0x63, 0x40, 0x04], { a in a.loadSignExtended(.rax, X86Memory(.r8, 4), .dword) }),
        ("movb %sil, 3(%rdx)", [0x40, 0x88, 0x72, 0x03], { a in a.store(X86Memory(.rdx, 3), .rsi, .byte) }),
        ("movb %r8b, (%rax)", [0x44, 0x88, 0x00], { a in a.store(X86Memory(.rax), .r8, .byte) }),
        ("movw %di, -2(%rbp)", [0x66, 0x89, 0x7d, 0xfe], { a in a.store(X86Memory(.rbp, -2), .rdi, .word) }),
        ("movl %ecx, 8(%r12)", [0x41, 0x89, 0x4c, 0x24, 0x08], { a in a.store(X86Memory(.r12, 8), .rcx, .dword) }),
        ("movq %rbx, 0x200(%r13)", [0x49, 0x89, 0x9d, 0x00, 0x02, 0x00, 0x00], { a in a.store(X86Memory(.r13, 0x200), .rbx, .qword) }),
        ("movb $-1, (%rdi)", [0xc6, 0x07, 0xff], { a in a.store(X86Memory(.rdi), immediate: -1, .byte) }),
        ("movw $0x1234, 2(%rdi)", [0x66, 0xc7, 0x47, 0x02, 0x34, 0x12], { a in a.store(X86Memory(.rdi, 2), immediate: 0x1234, .word) }),
        ("movl $-2, 4(%rdi)", [0xc7, 0x47, 0x04, 0xfe, 0xff, 0xff, 0xff], { a in a.store(X86Memory(.rdi, 4), immediate: -2, .dword) }),
        ("movq $-3, 8(%rdi)", [0x48, 0xc7, 0x47, 0x08, 0xfd, 0xff, 0xff, 0xff], { a in a.store(X86Memory(.rdi, 8), immediate: -3, .qword) }),
        ("leaq -512(%rbp), %r11", [0x4c, 0x8d, 0x9d, 0x00, 0xfe, 0xff, 0xff], { a in a.lea(.r11, X86Memory(.rbp, -512)) }),
        ("movsbq %sil, %rax", [0x48, 0x0f, 0xbe, 0xc6], { a in a.movsx(.rax, .rsi, from: .byte, to: .qword) }),
        ("movsbl %dil, %ecx", [0x40, 0x0f, 0xbe, 0xcf], { a in a.movsx(.rcx, .rdi, from: .byte, to: .dword) }),
        ("movswq %r8w, %r9", [0x4d, 0x0f, 0xbf, 0xc8], { a in a.movsx(.r9, .r8, from: .word, to: .qword) }),
        ("movswl %ax, %edx", [0x0f, 0xbf, 0xd0], { a in a.movsx(.rdx, .rax, from: .word, to: .dword) }),
        ("movslq %ecx, %rbx", [0x48, 0x63, 0xd9], { a in a.movsx(.rbx, .rcx, from: .dword, to: .qword) }),
        ("movzwl %si, %esi", [0x0f, 0xb7, 0xf6], { a in a.movzx16(.rsi, .rsi) }),
        ("addq %rsi, %rdi", [0x48, 0x01, 0xf7], { a in a.alu(.add, .rdi, .rsi) }),
        ("subl %eax, %r13d", [0x41, 0x29, 0xc5], { a in a.alu(.sub, .r13, .rax, .dword) }),
        ("andq $0x7f, %rcx", [0x48, 0x83, 0xe1, 0x7f], { a in a.alu(.and, .rcx, immediate: 0x7f) }),
        ("orl $0x12345, %ebx", [0x81, 0xcb, 0x45, 0x23, 0x01, 0x00], { a in a.alu(.or, .rbx, immediate: 0x12345, .dword) }),
        ("xorq $-1, %r15", [0x49, 0x83, 0xf7, 0xff], { a in a.alu(.xor, .r15, immediate: -1) }),
        ("cmpq 0xc0(%r12), %rdi", [0x49, 0x3b, 0xbc, 0x24, 0xc0, 0x00, 0x00, 0x00], { a in a.alu(.cmp, .rdi, X86Memory(.r12, 0xc0)) }),
        ("cmpq $6, 0x98(%r12)", [0x49, 0x83, 0xbc, 0x24, 0x98, 0x00, 0x00, 0x00, 0x06], { a in a.alu(.cmp, X86Memory(.r12, 0x98), immediate: 6) }),
        ("subq 0x10(%r12), %rax", [0x49, 0x2b, 0x44, 0x24, 0x10], { a in a.alu(.sub, .rax, X86Memory(.r12, 0x10)) }),
        ("lock addq %rsi, 8(%rdi)", [0xf0, 0x48, 0x01, 0x77, 0x08], { a in a.lockedALU(.add, X86Memory(.rdi, 8), .rsi, .qword) }),
        ("lock orl %r8d, (%r13)", [0xf0, 0x45, 0x09, 0x45, 0x00], { a in a.lockedALU(.or, X86Memory(.r13), .r8, .dword) }),
        ("lock andq %rax, -8(%rbp)", [0xf0, 0x48, 0x21, 0x45, 0xf8], { a in a.lockedALU(.and, X86Memory(.rbp, -8), .rax, .qword) }),
        ("lock xorl %ecx, 4(%rsi)", [0xf0, 0x31, 0x4e, 0x04], { a in a.lockedALU(.xor, X86Memory(.rsi, 4), .rcx, .dword) }),
        ("testq %rax, %rax", [0x48, 0x85, 0xc0], { a in a.test(.rax, .rax) }),
        ("testl $7, %r11d", [0x41, 0xf7, 0xc3, 0x07, 0x00, 0x00, 0x00], { a in a.test(.r11, immediate: 7, .dword) }),
        ("testq $-256, %rdi", [0x48, 0xf7, 0xc7, 0x00, 0xff, 0xff, 0xff], { a in a.test(.rdi, immediate: -256) }),
        ("imulq %rsi, %rdi", [0x48, 0x0f, 0xaf, 0xfe], { a in a.imul(.rdi, .rsi) }),
        ("imull $100, %ecx, %ecx", [0x6b, 0xc9, 0x64], { a in a.imul(.rcx, .rcx, immediate: 100, .dword) }),
        ("imulq $-3, %r14, %r14", [0x4d, 0x6b, 0xf6, 0xfd], { a in a.imul(.r14, .r14, immediate: -3) }),
        ("shlq %cl, %rdi", [0x48, 0xd3, 0xe7], { a in a.shiftByCL(.shl, .rdi) }),
        ("shrl %cl, %r11d", [0x41, 0xd3, 0xeb], { a in a.shiftByCL(.shr, .r11, .dword) }),
        ("sarq $63, %rax", [0x48, 0xc1, 0xf8, 0x3f], { a in a.shift(.sar, .rax, by: 63) }),
        ("rolw $8, %dx", [0x66, 0xc1, 0xc2, 0x08], { a in a.shift(.rol, .rdx, by: 8, .word) }),
        ("negq %r8", [0x49, 0xf7, 0xd8], { a in a.neg(.r8) }),
        ("negl %eax", [0xf7, 0xd8], { a in a.neg(.rax, .dword) }),
        ("divq %r11", [0x49, 0xf7, 0xf3], { a in a.div(.r11) }),
        ("idivl %r11d", [0x41, 0xf7, 0xfb], { a in a.idiv(.r11, .dword) }),
        ("cqto", [0x48, 0x99], { a in a.signExtendAccumulator(.qword) }),
        ("cltd", [0x99], { a in a.signExtendAccumulator(.dword) }),
        ("bswapq %r15", [0x49, 0x0f, 0xcf], { a in a.bswap(.r15, .qword) }),
        ("bswapl %esi", [0x0f, 0xce], { a in a.bswap(.rsi, .dword) }),
        ("lock xaddq %rdi, 16(%rsi)", [0xf0, 0x48, 0x0f, 0xc1, 0x7e, 0x10], { a in a.lockXadd(X86Memory(.rsi, 16), .rdi, .qword) }),
        ("lock cmpxchgl %r11d, (%rdi)", [0xf0, 0x44, 0x0f, 0xb1, 0x1f], { a in a.lockCmpxchg(X86Memory(.rdi), .r11, .dword) }),
        ("xchgq %rax, (%rbx)", [0x48, 0x87, 0x03], { a in a.xchg(X86Memory(.rbx), .rax, .qword) }),
        ("pushq %r12", [0x41, 0x54], { a in a.push(.r12) }),
        ("popq %rbx", [0x5b], { a in a.pop(.rbx) }),
        ("callq *%r11", [0x41, 0xff, 0xd3], { a in a.call(.r11) }),
        ("callq *%rax", [0xff, 0xd0], { a in a.call(.rax) }),
        ("ret", [0xc3], { a in a.ret() }),
    ]

    @Test func encodingsMatchLLVM() {
        for (text, expected, emit) in Self.cases {
            var a = X86Assembler()
            emit(&a)
            #expect(a.finish() == expected, "\(text)")
        }
    }

    @Test func branchesResolveForwardAndBackward() {
        var a = X86Assembler()
        let back = a.makeLabel(), forward = a.makeLabel()
        a.bind(back)
        a.jcc(.notEqual, forward)  // 0F 85 rel32, at 0
        a.jmp(back)  // E9 rel32, at 6
        a.call(forward)  // E8 rel32, at 11
        a.bind(forward)  // 16
        a.ret()
        #expect(a.finish() == [0x0F, 0x85, 10, 0, 0, 0, 0xE9, 0xF5, 0xFF, 0xFF, 0xFF, 0xE8, 0, 0, 0, 0, 0xC3])
    }
}
