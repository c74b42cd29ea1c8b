import Testing
@testable import BCRender

@Suite struct BlenderLogTests {
    /// The reference's Cycles log (Blender 3.4.1), verbatim.
    static let cycles = """
        Blender 3.4.1
        Read blend: /abs/scene_CYCLES.blend
        Fra:1 Mem:8.76M (Peak 10.27M) | Time:00:00.00 | Mem:0.00M, Peak:0.00M | Scene, ViewLayer | Synchronizing object | Suzanne
        Fra:1 Mem:9.68M (Peak 10.27M) | Time:00:00.06 | Mem:0.91M, Peak:0.91M | Scene, ViewLayer | Sample 0/8
        Fra:1 Mem:12.32M (Peak 12.32M) | Time:00:00.11 | Remaining:00:02.42 | Mem:3.54M, Peak:3.54M | Scene, ViewLayer | Sample 1/64
        Fra:4 Mem:9.84M (Peak 10.27M) | Time:00:00.02 | Mem:1.01M, Peak:1.01M | Scene, ViewLayer | Finished
        Saved: '/abs/out/0004.png'
         Time: 00:00.02 (Saving: 00:00.00)

        Blender quit

        """

    /// Workbench: no Fra: lines at all (captured from Blender 3.4.1 on Debian 12).
    static let workbench = """
        Blender 3.4.1
        Read blend: /tmp/bcr/scene_BLENDER_WORKBENCH.blend

        Managed to successfully fallback to surfaceless EGL rendering!

        Saved: '/tmp/bcr/out/w_0001.png'
         Time: 00:00.88 (Saving: 00:00.11)

        Saved: '/tmp/bcr/out/w_0003.png'
         Time: 00:00.00 (Saving: 00:00.00)


        Blender quit

        """

    @Test func referenceLines() {
        let expected: [(String, BlenderLogLine?)] = [
            ("Blender 3.4.1", nil),
            ("Read blend: /abs/scene_CYCLES.blend", nil),
            ("Fra:1 Mem:8.76M (Peak 10.27M) | Time:00:00.00 | Mem:0.00M, Peak:0.00M | Scene, ViewLayer | Synchronizing object | Suzanne",
             .progress(frame: 1, sample: nil, samples: nil)),
            ("Fra:1 Mem:9.68M (Peak 10.27M) | Time:00:00.06 | Mem:0.91M, Peak:0.91M | Scene, ViewLayer | Sample 0/8",
             .progress(frame: 1, sample: 0, samples: 8)),
            ("Fra:1 Mem:12.32M (Peak 12.32M) | Time:00:00.11 | Remaining:00:02.42 | Mem:3.54M, Peak:3.54M | Scene, ViewLayer | Sample 1/64",
             .progress(frame: 1, sample: 1, samples: 64)),
            ("Fra:4 Mem:9.84M (Peak 10.27M) | Time:00:00.02 | Mem:1.01M, Peak:1.01M | Scene, ViewLayer | Finished",
             .progress(frame: 4, sample: nil, samples: nil)),
            ("Fra:1 Mem:10.50M (Peak 11.62M) | Time:00:01.41 | Syncing Suzanne", .progress(frame: 1, sample: nil, samples: nil)),
            ("Fra:1 Mem:10.58M (Peak 11.62M) | Time:00:02.05 | Rendering 1 / 4 samples", .progress(frame: 1, sample: 1, samples: 4)),
            ("Fra:12 Mem:10.54M (Peak 11.62M) | Time:00:04.27 | Rendering 4 / 4 samples\r", .progress(frame: 12, sample: 4, samples: 4)),
            ("Saved: '/abs/out/0004.png'", .saved(path: "/abs/out/0004.png")),
            ("Saved: '/out/it's/0001.png'", .saved(path: "/out/it's/0001.png")),
            (" Time: 00:00.02 (Saving: 00:00.00)", .frameTime(seconds: 0.02)),
            (" Time: 01:02:03.50 (Saving: 00:00.10)", .frameTime(seconds: 3723.5)),
            ("Error: engine not found 'NOSUCH'", .error("engine not found 'NOSUCH'")),
            ("Error: Render error (Invalid argument) cannot save: '/ro/0001.png'",
             .error("Render error (Invalid argument) cannot save: '/ro/0001.png'")),
            ("Blender quit", .quit),
            ("", nil),
            ("Managed to successfully fallback to surfaceless EGL rendering!", nil),
            ("Fra:x Mem:1M", nil), ("Fra:1 Memory", nil), ("Saved: ''", nil), (" Time: 00:00.02", nil),
            ("  Fra:1 Mem:1M", nil), ("EGL Error (0x3001): EGL_NOT_INITIALIZED", nil),
        ]
        for (line, meaning) in expected {
            #expect(BlenderLogLine.parse(Substring(line)) == meaning, "\(line)")
        }
    }

    @Test func eeveeFrameTime() throws {
        guard case .frameTime(let seconds) = BlenderLogLine.parse(" Time: 00:04.43 (Saving: 00:00.15)") else {
            Issue.record("no frame time"); return
        }
        #expect(abs(seconds - 4.43) < 1e-9)
    }

    @Test func cyclesProgress() {
        var progress = RenderProgress()
        progress.consume(Substring(Self.cycles))
        progress.finish()
        #expect(progress.framesSaved == 1)
        #expect(progress.savedFrames == [4])
        #expect(progress.lastSavedPath == "/abs/out/0004.png")
        #expect(progress.currentFrame == nil)
        #expect(progress.lastFrameSeconds == 0.02)
        #expect(progress.lastLine == "Blender quit")
        #expect(progress.quit)
        #expect(progress.lastError == nil)
    }

    @Test func workbenchCountsSavedFramesWithoutNamingThem() {
        var progress = RenderProgress()
        progress.consume(Substring(Self.workbench))
        #expect(progress.framesSaved == 2)
        #expect(progress.savedFrames == [])
        #expect(progress.lastSavedPath == "/tmp/bcr/out/w_0003.png")
        #expect(progress.quit)
    }

    /// Output arrives in arbitrary pieces; a line cut in two is read once, whole.
    @Test func chunksSplitAnywhere() {
        var whole = RenderProgress()
        whole.consume(Substring(Self.cycles))
        for cut in Self.cycles.indices {
            var split = RenderProgress()
            split.consume(Self.cycles[..<cut])
            split.consume(Self.cycles[cut...])
            #expect(split == whole)
        }
        var bytewise = RenderProgress()
        for c in Self.workbench { bytewise.consume(Substring(String(c))) }
        var workbench = RenderProgress()
        workbench.consume(Substring(Self.workbench))
        #expect(bytewise == workbench)
    }

    @Test func partialLineWaitsForItsEnd() {
        var progress = RenderProgress()
        progress.consume("Fra:3 Mem:1M | Sam")
        #expect(progress.currentFrame == nil)
        progress.consume("ple 2/8\nFra:3 Mem:1M | Finished\nError: Cannot read file '/x.blend'\nBlender qu")
        #expect(progress.currentFrame == 3)
        #expect(progress.sample == 2 && progress.samples == 8)
        #expect(progress.lastError == "Cannot read file '/x.blend'")
        #expect(!progress.quit)
        progress.consume("it")
        #expect(!progress.quit, "no newline yet")
        progress.finish()
        #expect(progress.quit)
        #expect(progress.lastLine == "Blender quit")
    }
}
