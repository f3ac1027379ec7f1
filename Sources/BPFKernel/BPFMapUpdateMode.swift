/// How the `update` methods of ``BPFMap`` treat an existing element (`BPF_ANY`, `BPF_NOEXIST`, `BPF_EXIST`).
public enum BPFMapUpdateMode: UInt64, Sendable {
    /// `BPF_ANY`: create or replace.
    case any = 0
    /// `BPF_NOEXIST`: create only; EEXIST if the key is present.
    case noExist = 1
    /// `BPF_EXIST`: replace only; ENOENT if the key is absent.
    case exist = 2
}
