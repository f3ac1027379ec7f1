import BPF
import BPFObject
