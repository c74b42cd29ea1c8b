#if canImport(Glibc)
import Glibc
#endif

/// glibc's malloc keeps what a reconciliation freed (the inventory read, the plan, the
/// desired state: tens of MiB at 10,000 resources) in its arenas, scattered among what stays
/// alive, and each pass then takes fresh pages beside those: the controller's RSS crept up
/// pass after pass (at 10,000 resources, 116 MiB after the first apply, 140 MiB ten one-App
/// commits later). Giving the free pages back after each pass keeps it where the live data is.
enum FreedMemory {
    /// glibc's `malloc_trim` (declared in <malloc.h>, which Swift's Glibc module does not
    /// import), looked up once; nil on a C library without it.
    private static let trim: (@convention(c) (Int) -> Int32)? = {
        #if canImport(Glibc)
        guard let process = dlopen(nil, RTLD_NOW), let symbol = dlsym(process, "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
        #else
        return nil
        #endif
    }()

    /// Returns the free pages of every malloc arena to the system (a few ms; after a pass,
    /// not on its way to the apply).
    static func release() {
        _ = trim?(0)
    }
}
