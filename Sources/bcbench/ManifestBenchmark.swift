import BCManifest
import BCModel
import CLibYAML
import Foundation

/// Load and validate N manifests, against parsing the same bytes with libyaml's event API
/// alone (no tree, no typing): the physical limit of any libyaml-based loader.
enum ManifestBenchmark {
    static func run(count: Int) throws {
        let dir = NSTemporaryDirectory() + "bcops-bench-manifests"
        let bytes = try ManifestCorpus.write(count: count, perFile: 10, to: dir)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".yaml") }.sorted().map { dir + "/" + $0 }
        print("corpus: \(count) manifests, \(files.count) files, \(String(format: "%.2f", Double(bytes) / 1e6)) MB in \(dir)")

        // Sanity: the corpus must be valid, or the loader would be timed on a different path.
        let check = ManifestLoader().load(paths: [dir])
        guard check.isValid, check.manifests.count == count else {
            print("corpus is not valid: \(check.diagnostics.prefix(5).map(\.description))")
            exit(1)
        }

        let cores = ProcessInfo.processInfo.activeProcessorCount
        var bare = Double.infinity, bareParallel = Double.infinity, full = Double.infinity, fullParallel = Double.infinity
        var events = 0
        for _ in 0..<9 {
            var t = now()
            events = bareParse(files)
            bare = min(bare, now() - t)
            t = now()
            let result = ManifestLoader(threads: 1).load(paths: [dir])
            full = min(full, now() - t)
            precondition(result.manifests.count == count)
            t = now()
            bareParseParallel(files, workers: cores)
            bareParallel = min(bareParallel, now() - t)
            t = now()
            _ = ManifestLoader().load(paths: [dir])
            fullParallel = min(fullParallel, now() - t)
        }
        let mb = Double(bytes) / 1e6
        print(String(format: "libyaml events only, 1 thread (the limit): %.3f s  %6.1f MB/s  (%d events)", bare, mb / bare, events))
        print(String(format: "bcops load + validate, 1 thread:           %.3f s  %6.1f MB/s", full, mb / full))
        print(String(format: "libyaml events only, %d threads:            %.3f s  %6.1f MB/s", cores, bareParallel, mb / bareParallel))
        print(String(format: "bcops load + validate, %d threads:          %.3f s  %6.1f MB/s", cores, fullParallel, mb / fullParallel))
        print(String(format: "ratio bcops / libyaml, 1 thread each:  %.2fx (target <= 3x)", full / bare))
        print(String(format: "ratio bcops / libyaml, %d threads each: %.2fx", cores, fullParallel / bareParallel))
        print(String(format: "wall: bcops on %d threads / libyaml on 1: %.2fx", cores, fullParallel / bare))
        print(String(format: "peak RSS: %d MiB", peakRSSMiB()))
    }

    /// Reads every file and runs libyaml's parser over it, touching nothing but events.
    static func bareParse(_ files: [String]) -> Int {
        var events = 0
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else { continue }
            let bytes = [UInt8](data)
            bytes.withUnsafeBufferPointer { buf in
                var parser = yaml_parser_t()
                yaml_parser_initialize(&parser)
                yaml_parser_set_input_string(&parser, buf.baseAddress, buf.count)
                var event = yaml_event_t()
                while yaml_parser_parse(&parser, &event) == 1 {
                    events += 1
                    let done = event.type == YAML_STREAM_END_EVENT
                    yaml_event_delete(&event)
                    if done { break }
                }
                yaml_parser_delete(&parser)
            }
        }
        return events
    }

    static func bareParseParallel(_ files: [String], workers: Int) {
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            _ = bareParse(stride(from: w, to: files.count, by: workers).map { files[$0] })
        }
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    static func peakRSSMiB() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return 0 }
        return (Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
    }
}

/// Where the loader's time goes: reading, composing node trees, decoding and rules.
enum LoaderPhases {
    static func run(count: Int) throws {
        let dir = NSTemporaryDirectory() + "bcops-bench-manifests"
        _ = try ManifestCorpus.write(count: count, perFile: 10, to: dir)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".yaml") }.sorted().map { dir + "/" + $0 }
        var read = Double.infinity, compose = Double.infinity, decode = Double.infinity, bare = Double.infinity
        for _ in 0..<5 {
            var t = ManifestBenchmark.now()
            let contents = files.map { [UInt8](FileManager.default.contents(atPath: $0)!) }
            read = min(read, ManifestBenchmark.now() - t)
            t = ManifestBenchmark.now()
            var roots: [YAMLNode] = []
            for bytes in contents {
                let c = YAMLComposer(bytes: bytes)
                while let d = try c.nextDocument() { roots.append(d.root) }
            }
            compose = min(compose, ManifestBenchmark.now() - t)
            t = ManifestBenchmark.now()
            for r in roots { _ = ManifestDecoder.decode(r, file: "x", context: ValidationContext()) }
            decode = min(decode, ManifestBenchmark.now() - t)
            t = ManifestBenchmark.now()
            _ = ManifestBenchmark.bareParse(files)
            bare = min(bare, ManifestBenchmark.now() - t)
        }
        print(String(format: "read %.3f  compose %.3f  decode+rules %.3f  | bare parse incl. read %.3f", read, compose, decode, bare))
    }
}

/// Decoding alone, repeated, for profiling with callgrind.
enum DecodeOnly {
    static func run(count: Int, rounds: Int) throws {
        var roots: [YAMLNode] = []
        for i in 0..<count {
            let c = YAMLComposer(bytes: Array(ManifestCorpus.manifest(i).utf8))
            while let d = try c.nextDocument() { roots.append(d.root) }
        }
        let t = ManifestBenchmark.now()
        for _ in 0..<rounds { for r in roots { _ = ManifestDecoder.decode(r, file: "x", context: ValidationContext()) } }
        print(String(format: "decode %d manifests x %d: %.3f s", count, rounds, ManifestBenchmark.now() - t))
    }
}

/// One single-threaded load of the benchmark corpus, for instruction counts under callgrind.
enum LoadOnce {
    static func run(count: Int) throws {
        let dir = NSTemporaryDirectory() + "bcops-bench-manifests"
        _ = try ManifestCorpus.write(count: count, perFile: 10, to: dir)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".yaml") }.map { dir + "/" + $0 }
        if CommandLine.arguments.contains("--bare") { _ = ManifestBenchmark.bareParse(files); return }
        let result = ManifestLoader(threads: 1).load(paths: [dir])
        print(result.manifests.count)
    }
}
