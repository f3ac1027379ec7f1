// C reference loops that benchmarks compare the Swift code against.
#ifndef C_REFERENCE_H
#define C_REFERENCE_H
#endif
