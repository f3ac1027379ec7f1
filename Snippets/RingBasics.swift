// The `Uring` module on its own: a ring, typed requests, links and completions.
import SystemPackage
import Uring

var ring = try IoUring(entries: 8)
let probe = try ring.probe()
print("kernel supports \(probe.supportedOpcodes.count) opcodes; READ: \(probe.supports(.read))")

// A NOP, a read of /etc/hostname and a close, linked so that each starts after the previous one completes. The
// read is hard-linked: a short read (the usual case) would cancel the close behind a plain link.
let file = try FileDescriptor.open("/etc/hostname", .readOnly)
let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 8)
defer { buffer.deallocate() }
try ring.push(Nop().build().withUserData(1).withFlags(.ioLink))
try ring.push(Read(file: .fd(file), buffer: buffer.baseAddress, length: 4096).build().withUserData(2)
    .withFlags(.ioHardlink))
try ring.push(Close(file: .fd(file)).build().withUserData(3))
try ring.submitAndWait(3)
var results: [UInt64: Int32] = [:]
try ring.forEachCompletion { completion in results[completion.userData] = completion.result }
print("NOP \(results[1]!), read \(results[2]!) bytes, close \(results[3]!)")
// snippet.hide
precondition(results[1] == 0 && results[2]! > 0 && results[3] == 0, "RingBasics: \(results)")
