import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

extension Errno {
    /// The symbolic name of this error number (`"EINVAL"`), from glibc's `strerrorname_np`; `ENOTSUPP` for the
    /// kernel-internal 524 that some `bpf()` commands return; `errno N` when unknown.
    public var symbolicName: String {
        if let lookup = errnoNameFunction, let name = lookup(rawValue) { return String(cString: name) }
        if rawValue == 524 { return "ENOTSUPP" }
        return "errno \(rawValue)"
    }

    /// The human-readable message (`strerror`), e.g. "Invalid argument".
    public var message: String {
        if rawValue == 524 { return "Operation not supported by the kernel (ENOTSUPP)" }
        return String(cString: strerror(rawValue))
    }
}

// strerrorname_np is a GNU extension the Glibc module does not import; look it up once.
private let errnoNameFunction: (@convention(c) (Int32) -> UnsafePointer<CChar>?)? = {
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "strerrorname_np") else { return nil }
    return unsafeBitCast(symbol, to: (@convention(c) (Int32) -> UnsafePointer<CChar>?).self)
}()
