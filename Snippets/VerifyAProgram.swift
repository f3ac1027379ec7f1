// Verifies a loop program with Linux 7.2's rules, without a kernel: the verdict is the kernel's (accepted, or the
// errno `BPF_PROG_LOAD` would return, the reason, the instruction and the source line). `.rodata` is given as the
// loader freezes it, so region sizes computed from it are constants.
import BPFObject
import BPFVerifier

// snippet.hide
let object = try ObjectFile(contentsOf: "copy_file.bpf.o")
// The .rodata a loader freezes for a ring of 16 SQ and 32 CQ entries: sq_entries and cq_entries set.
var rodataImage = object.globalData(".rodata")!.initialBytes
for (name, value) in [("sq_entries", UInt32(16)), ("cq_entries", UInt32(32))] {
    let offset = object.globalData(".rodata")!.variable(named: name)!.offset
    withUnsafeBytes(of: value.littleEndian) { rodataImage.replaceSubrange(offset..<offset + 4, with: $0) }
}
// snippet.show
// snippet.verify
var options = VerifierOptions()
options.globalData = [".rodata": rodataImage]     // what the loader freezes (sq_entries, cq_entries, ...)
let verdict = Verifier(options: options).verify(object: object, program: object.programs[0])
if let rejection = verdict.rejection { print(rejection.errno, rejection) }
// snippet.end
// snippet.hide
print(verdict)
precondition(verdict.isAccepted, "VerifyAProgram: copy_file is rejected: \(verdict)")

// The same object told its CQ has 2^30 entries is refused: an index masked with cq_entries - 1 may then point far
// past the CQ region the program asked for.
var tooBig = rodataImage
let cqOffset = object.globalData(".rodata")!.variable(named: "cq_entries")!.offset
withUnsafeBytes(of: UInt32(1 << 30).littleEndian) { tooBig.replaceSubrange(cqOffset..<cqOffset + 4, with: $0) }
var badOptions = VerifierOptions()
badOptions.globalData = [".rodata": tooBig]
let refused = Verifier(options: badOptions).verify(object: object, program: object.programs[0])
print(refused)
precondition(!refused.isAccepted, "VerifyAProgram: the oversized CQ is accepted")
