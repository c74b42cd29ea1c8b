/// The inventory's two readings, for `bcbench readers` to race against Foundation's
/// `JSONDecoder` on the same bytes (docs/ARCHITECTURE.md, "The contract"). Not API.
extension LiveState {
    /// Objects read by the planner's own reader, nil when it gives up.
    @_spi(Benchmarks) public static func benchmarkFastInventory(_ body: [UInt8], workspace: String) -> Int? {
        InventoryReader.read(body, workspace: workspace)?.state.count
    }

    /// Objects read through a `JSONValue` tree (the fallback).
    @_spi(Benchmarks) public static func benchmarkTreeInventory(_ body: [UInt8], workspace: String) throws -> Int? {
        try inventoryTree(body, workspace: workspace)?.state.count
    }
}
