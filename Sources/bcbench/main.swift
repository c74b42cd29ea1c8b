import BCManifest
import BCModel
import CLibYAML
import Foundation

/// bcops benchmarks. Each one runs bcops and a named peer or physical limit in the same
/// process and reports both and their ratio. Run through bench/*.sh (release build).
///
///   bcbench manifests [COUNT]   load+validate COUNT manifests vs libyaml's bare event parse
///   bcbench encode [ROUNDS]     the engine's answers: JSONEncoder vs the hand-written writer
///   bcbench readers [ROUNDS]    the client's hand-written JSON readers and writer vs JSONDecoder/JSONEncoder
let args = CommandLine.arguments
switch args.dropFirst().first {
case "api-populate":
    try APIBenchmark.populate(dir: args[2], count: Int(args[3]) ?? 10_000)
case "dashboard-populate":
    try DashboardBenchmark.populate(dir: args[2], count: Int(args[3]) ?? 10_000)
case "dashboard-measure":
    try await DashboardBenchmark.measure(ui: args[2], rounds: args.count > 3 ? Int(args[3]) ?? 50 : 50)
case "api-script":
    try APIBenchmark.script(dir: args[2], kind: args[3])
case "load1":
    try LoadOnce.run(count: 10_000)
case "decode":
    try DecodeOnly.run(count: 1200, rounds: 5)
case "phases":
    try LoaderPhases.run(count: 10_000)
case "direct-creates":
    try await DirectCreates.run(count: Int(args[2]) ?? 1000, concurrency: Int(args[3]) ?? 10)
case "client-gets":
    try await ClientGets.run(dir: args[2], count: Int(args[3]) ?? 20_000, concurrency: Int(args[4]) ?? 16,
                             kind: args.count > 5 ? args[5] : "jobs")
case "readers":
    try ReaderBenchmark.run(rounds: args.count > 2 ? Int(args[2]) ?? 5 : 5)
case "encode":
    try EncodeBenchmark.run(rounds: args.count > 2 ? Int(args[2]) ?? 5 : 5)
case "manifests":
    try ManifestBenchmark.run(count: args.count > 2 ? Int(args[2]) ?? 10_000 : 10_000)
default:
    print("usage: bcbench manifests [COUNT]")
    exit(2)
}
