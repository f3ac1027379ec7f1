// Runs `read_open.bpf.o` (openat → read → close, each request issued from the previous one's CQE) with the path
// and the read buffer in the ring's MEM region: `.memAddress(N)` sets an address global to MEM's user address
// plus N before load, ``LoopMemory`` reads and writes MEM from Swift.
import BPFObject
import UringBPF

// snippet.hide
#if canImport(Glibc)
import Glibc
#endif
// snippet.show
var options = LoopOptions()
options.memSize = 8192                          // register a MEM region (page-rounded)
options.globals = [
    ("path_addr", .memAddress(offset: 0)),             // the path at MEM+0
    ("buf_addr", .memAddress(offset: 4096)),           // the buffer at MEM+4096
]
let loop = try UringLoop(object: try ObjectFile(contentsOf: "read_open.bpf.o"), options: options)
let memory = loop.memory!
try memory.write(Array("/etc/hostname".utf8) + [0], at: 0)

_ = try loop.run()
// snippet.results
let bytesRead = try loop.globals.value(GlobalName<Int32>("bytes_read"))
let error = try loop.globals.value(GlobalName<Int32>("error"))
let text = String(decoding: try memory.bytes(4096..<4096 + Int(max(bytesRead, 0))), as: UTF8.self)
print("read \(bytesRead) bytes, error \(error): \(text)")
// snippet.end
// snippet.hide
// The same file through the host's read(2): the program must have read exactly this.
let fd = open("/etc/hostname", O_RDONLY)
var expected = [UInt8](repeating: 0, count: 4096)
let count = read(fd, &expected, expected.count)
close(fd)
precondition(error == 0 && Int(bytesRead) == count && Array(text.utf8) == Array(expected.prefix(count)),
             "read_open: \(bytesRead) bytes, error \(error); read(2) gave \(count)")
