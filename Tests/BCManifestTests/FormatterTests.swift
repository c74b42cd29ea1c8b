import BCModel
import Foundation
import Testing
@testable import BCManifest

/// `bcctl fmt`'s formatter. Every case goes through `canonical`, which also checks the four
/// guarantees on it: same data after re-parsing, idempotency, each comment exactly once.
@Suite struct FormatterTests {
    /// The formatted text of `input`, after checking the guarantees on it.
    func canonical(_ input: String, sourceLocation: SourceLocation = #_sourceLocation) -> String {
        guard case .formatted(let out) = ManifestFormatter().format(input) else {
            Issue.record("not formatted: \(ManifestFormatter().format(input))", sourceLocation: sourceLocation)
            return input
        }
        let before = documents(input), after = documents(out)
        #expect(before.count == after.count, "document count changed", sourceLocation: sourceLocation)
        for (a, b) in zip(before, after) {
            #expect(ManifestFormatter.sameData(a, b), "data changed:\n\(out)", sourceLocation: sourceLocation)
        }
        #expect(ManifestFormatter().format(out) == .formatted(out), "not idempotent:\n\(out)", sourceLocation: sourceLocation)
        let inComments = comments(input), outComments = comments(out)
        #expect(inComments.sorted() == outComments.sorted(), "comments differ:\n\(out)", sourceLocation: sourceLocation)
        return out
    }

    func documents(_ text: String) -> [YAMLNode] {
        guard case .success(let docs) = ManifestFormatter.parse(Array(text.utf8)) else { return [] }
        return docs.map(\.root)
    }

    func comments(_ text: String) -> [String] {
        let source = SourceText(text)
        guard case .success(let docs) = ManifestFormatter.parse(Array(text.utf8)) else { return [] }
        let ranges = ScalarRanges(docs.flatMap { DocumentAnalysis($0.root, source: source).ranges }, in: source)
        return CommentScanner.scan(source, outside: ranges).map(\.text)
    }

    // MARK: Key order and comments

    @Test func reorderedKeysCarryTheirLeadingComments() {
        let out = canonical("""
            # file header
            kind: Cluster
            # the version comment
            apiVersion: bcops.io/v1
            metadata:
              name: c
            spec:
              # groups explained
              groups:
                g:
                  desiredCount: 1
                  # type of the nodes
                  instanceType: ecs.sn2.medium
              imageId: img-ubuntu

            """)
        #expect(out == """
            # file header
            # the version comment
            apiVersion: bcops.io/v1
            kind: Cluster
            metadata:
              name: c
            spec:
              imageId: img-ubuntu
              # groups explained
              groups:
                g:
                  # type of the nodes
                  instanceType: ecs.sn2.medium
                  desiredCount: 1

            """)
    }

    @Test func trailingCommentsStayOnTheirEntrysLine() {
        let out = canonical("""
            apiVersion: bcops.io/v1
            kind: Job   # a raw DAG job
            metadata: # identity
              name: j
            spec:
              tasks:
                t:
                  command: echo hi     # the command
                  cluster: c1 # where
              priority: 5 # after tasks in the source

            """)
        #expect(out == """
            apiVersion: bcops.io/v1
            kind: Job # a raw DAG job
            metadata: # identity
              name: j
            spec:
              priority: 5 # after tasks in the source
              tasks:
                t:
                  cluster: c1 # where
                  command: echo hi # the command

            """)
    }

    @Test func commentsAfterTheLastEntryEndTheDocument() {
        let out = canonical("""
            apiVersion: bcops.io/v1
            kind: Cluster
            metadata:
              name: c
                # indented note at the end
            # last words

            """)
        #expect(out.hasSuffix("  name: c\n# indented note at the end\n# last words\n"))
    }

    @Test func freeMapsKeepSourceOrderButTheirObjectsAreOrdered() {
        let out = canonical("""
            apiVersion: bcops.io/v1
            kind: Cluster
            metadata:
              name: c
              labels:
                zeta: "1"
                alpha: "2"
            spec:
              imageId: img-ubuntu
              groups:
                zz:
                  desiredCount: 1
                  instanceType: ecs.sn2.medium
                aa:
                  desiredCount: 2
                  instanceType: ecs.sn2.medium
              env:
                Z: z
                A: a

            """)
        #expect(out.contains("    zeta: \"1\"\n    alpha: \"2\"\n"))
        #expect(out.contains("    zz:\n      instanceType: ecs.sn2.medium\n      desiredCount: 1\n    aa:\n"))
        #expect(out.contains("  env:\n    Z: z\n    A: a\n"))
    }

    @Test func unknownKindsOnlyMoveTheEnvelopeFirst() {
        let out = canonical("""
            spec:
              b: 1
              a: 2
            extra: x
            kind: Widget
            metadata:
              name: w
            apiVersion: bcops.io/v1

            """)
        #expect(out == """
            apiVersion: bcops.io/v1
            kind: Widget
            metadata:
              name: w
            spec:
              b: 1
              a: 2
            extra: x

            """)
    }

    @Test func unknownKeysFollowKnownOnesInSourceOrder() {
        let out = canonical("""
            apiVersion: bcops.io/v1
            kind: Cluster
            metadata:
              name: c
            spec:
              zzz: 1
              groups: {g: {desiredCount: 1, instanceType: ecs.sn2.medium}}
              aaa: 2
              imageId: img-ubuntu

            """)
        #expect(out.hasSuffix("spec:\n  imageId: img-ubuntu\n  groups: {g: {desiredCount: 1, instanceType: ecs.sn2.medium}}\n  zzz: 1\n  aaa: 2\n"))
    }

    // MARK: Scalars

    @Test func blockScalarsKeepTheirTextIncludingHashes() {
        let out = canonical("""
            apiVersion: bcops.io/v1
            kind: Cluster
            metadata:
                name: c
            spec:
                bootstrap: |  # the script
                      # not a comment: script text
                      echo "#1"

                        indented more
                description: >-
                    folded # text
                    goes on
                imageId: img-ubuntu

            """)
        #expect(out.contains("""
              description: >-
                folded # text
                goes on
              imageId: img-ubuntu
            """))
        #expect(out.contains("""
              bootstrap: | # the script
                # not a comment: script text
                echo "#1"

                  indented more

            """))
    }

    @Test func keepChompingAndIndentationIndicatorsSurvive() {
        let out = canonical("""
            apiVersion: bcops.io/v1
            kind: Job
            metadata:
                name: j
            spec:
                tasks:
                    t:
                        command: |2+
                              leading spaces kept
                            x


                        cluster: c
                description: |-
                    no trailing newline

            """)
        // The indicator is relative to the key, so the content moves with it.
        #expect(out.hasSuffix("      cluster: c\n      command: |2+\n            leading spaces kept\n          x\n\n\n"))
        #expect(out.contains("  description: |-\n    no trailing newline\n"))
    }

    @Test func quotedScalarsWithHashesAreCopiedExactly() {
        let out = canonical("""
            apiVersion: bcops.io/v1
            kind: Cluster
            metadata: {name: "c#1"}
            spec:
              imageId: 'img-#x' # real comment
              description: "a # b \\"quoted\\" \\u00e9"

            """)
        #expect(out.contains("  description: \"a # b \\\"quoted\\\" \\u00e9\"\n  imageId: 'img-#x' # real comment\n"))
        #expect(out.contains("metadata: {name: \"c#1\"}"))
    }

    @Test func multiLineScalarsAreReindented() {
        let out = canonical("""
            apiVersion: bcops.io/v1
            kind: Cluster
            metadata:
                name: c
            spec:
                description: a plain scalar
                        that goes on

                        and on
                imageId: "img-
                  ubuntu"  # after the closing quote

            """)
        #expect(out.contains("  description: a plain scalar\n    that goes on\n\n    and on\n"))
        #expect(out.contains("  imageId: \"img-\n    ubuntu\" # after the closing quote\n"))
    }

    @Test func emptyValuesStayEmpty() {
        let out = canonical("""
            apiVersion: bcops.io/v1
            kind: Cluster
            metadata:
              name: c
              labels:
            spec:
              description: ~
              imageId:

            """)
        #expect(out.contains("  labels:\nspec:\n  description: ~\n  imageId:\n"))
    }

    // MARK: Collections

    @Test func sequencesOfMappingsStartOnTheDashLine() {
        let out = canonical("""
            apiVersion: bcops.io/v1
            kind: RenderProject
            metadata:
              name: p
            spec:
              ossMappings:
              # the scenes
              -   destination: /scenes/   # where
                  source: oss://bkt/scenes/
              -
                source: oss://bkt/tex/
                # textures are read-only
                writeSupport: false
                destination: /tex/
              image: img-ubuntu

            """)
        #expect(out.contains("""
              ossMappings:
                # the scenes
                - source: oss://bkt/scenes/
                  destination: /scenes/ # where
                - source: oss://bkt/tex/
                  destination: /tex/
                  # textures are read-only
                  writeSupport: false

            """))
        #expect(out.contains("  image: img-ubuntu\n"))
    }

    @Test func aMovedFirstKeyTakesItsCommentAboveTheDash() {
        let out = canonical("""
            items:
              - b: 1
                # about a
                a: 2

            """)
        // No schema: source order; the comment stays with `a`.
        #expect(out == "items:\n  - b: 1\n    # about a\n    a: 2\n")
        let ordered = canonical("""
            apiVersion: bcops.io/v1
            kind: RenderProject
            metadata: {name: p}
            spec:
              ossMappings:
                - destination: /x/
                  # the bucket
                  source: oss://bkt/x/

            """)
        #expect(ordered.contains("  ossMappings:\n    # the bucket\n    - source: oss://bkt/x/\n      destination: /x/\n"))
    }

    @Test func nestedSequencesAndScalarItems() {
        let out = canonical("""
            matrix:
            - - 1
              - 2
            -   - 3
            - plain
            -
            - "quoted # x"

            """)
        #expect(out == "matrix:\n  - - 1\n    - 2\n  - - 3\n  - plain\n  -\n  - \"quoted # x\"\n")
    }

    @Test func flowCollectionsOnOneLineAreKeptVerbatim() {
        let out = canonical("""
            apiVersion: bcops.io/v1
            kind: Job
            metadata: {name: j,   labels: {a: "1"}}
            spec:
              dependencies: {split: [count,merge]}   # compact
              tasks: {}

            """)
        #expect(out.contains("metadata: {name: j,   labels: {a: \"1\"}}\n"))
        #expect(out.contains("  tasks: {}\n  dependencies: {split: [count,merge]} # compact\n"))
    }

    @Test func multiLineFlowCollectionsBecomeBlockStyle() {
        let out = canonical("""
            apiVersion: bcops.io/v1
            kind: Job
            metadata: {name: j}
            spec:
              dependencies: {
                split: [count,   # fan out
                  merge],
                count: [merge]
              }
              tasks: [
              ]

            """)
        #expect(out.contains("""
              tasks: []
              dependencies:
                split:
                  - count # fan out
                  - merge
                count: [merge]

            """))
    }

    // MARK: Documents and blank lines

    @Test func multipleDocumentsAreSeparatedAndLeadingMarkerKept() {
        let out = canonical("""
            # top of file
            ---   # first
            kind: App
            apiVersion: bcops.io/v1
            # end of first
            ...
            ---
            # second header

            kind: Job
            apiVersion: bcops.io/v1
            ---
            apiVersion: bcops.io/v1

            """)
        #expect(out == """
            # top of file
            --- # first
            apiVersion: bcops.io/v1
            kind: App
            # end of first
            ---
            # second header

            apiVersion: bcops.io/v1
            kind: Job
            ---
            apiVersion: bcops.io/v1

            """)
        #expect(canonical("a: 1\n---\nb: 2\n") == "a: 1\n---\nb: 2\n")
    }

    @Test func blankLinesAreCollapsedAndNeverOpenAMapping() {
        let out = canonical("""
            apiVersion: bcops.io/v1
            kind: Cluster



            metadata:

              name: c
            spec:
              imageId: img-ubuntu


              # about groups

              groups:

                g: {desiredCount: 1, instanceType: ecs.sn2.medium}

            """)
        #expect(out == """
            apiVersion: bcops.io/v1
            kind: Cluster

            metadata:
              name: c
            spec:
              imageId: img-ubuntu

              # about groups

              groups:
                g: {desiredCount: 1, instanceType: ecs.sn2.medium}

            """)
    }

    @Test func indentationBecomesTwoSpaces() {
        let out = canonical("a:\n      b:\n             - x\n             - y\n      c: 1\n")
        #expect(out == "a:\n  b:\n    - x\n    - y\n  c: 1\n")
    }

    @Test func crlfLineEndingsArePreserved() {
        let out = canonical("kind: Job\r\napiVersion: bcops.io/v1 # v\r\nspec:\r\n    x: |\r\n        text\r\n")
        #expect(out == "apiVersion: bcops.io/v1 # v\r\nkind: Job\r\nspec:\r\n  x: |\r\n    text\r\n")
    }

    // MARK: Whole manifests

    static let realistic = """
        # Render farm: one cluster, one project, one DAG job.
        # Applied by the controller on every push.

        kind: Cluster
        apiVersion: bcops.io/v1
        metadata:
          labels: {team: render, tier: "prod"}
          name: farm
        spec:
          groups:
            # big nodes for frames
            render:
              resourceType: Spot
              spotStrategy: SpotWithPriceLimit
              spotPriceLimit: 0.512   # per hour
              instanceType: ecs.sn2.large
              desiredCount: 4
            master: {instanceType: ecs.sn2.medium, desiredCount: 1}
          imageId: img-ubuntu
          description: >
            The farm's cluster; sized for
            nightly renders.
          mounts:
            entries:
            - destination: /scenes/
              source: oss://farm/scenes/
              writeSupport: false
            locale: UTF-8
          env:
            RENDER_THREADS: "8"
            TOKEN: {secretFrom: {env: FARM_TOKEN}}
          bootstrap: |
            #!/bin/sh
            echo "bootstrapping #$HOSTNAME"   # shell comment, not YAML
        ---
        apiVersion: bcops.io/v1
        kind: RenderProject
        metadata:
          name: blender
        spec:
          ossOutput: oss://farm/output/
          localOutputDir: /render_output/
          software:
            sceneSuffix: .blend
            name: blender
          image: img-ubuntu
          ossMappings:
            - {source: "oss://farm/scenes/", destination: /scenes/}
          defaults:
            retries: 1
            cluster: farm

        ---
        # The nightly job.
        apiVersion: bcops.io/v1
        kind: Job
        metadata:
          name: nightly
        spec:
          tasks:
            render:
              env:
                FRAMES: 1-250
              command: blender -b scene.blend -a
              cluster: farm
              instanceCount: 4   # one per node
            upload:
              command: "python upload.py --to 'oss://farm/#final/'"
              cluster: farm
          dependencies:
            render: [upload]
          priority: 100
        """

    @Test func realisticManifestsAreFormattedOnceAndForAll() {
        let out = canonical(Self.realistic)
        #expect(out.contains("""
            apiVersion: bcops.io/v1
            kind: Cluster
            metadata:
              name: farm
              labels: {team: render, tier: "prod"}
            spec:
              description: >
                The farm's cluster; sized for
                nightly renders.
              imageId: img-ubuntu
              groups:
                # big nodes for frames
                render:
                  instanceType: ecs.sn2.large
                  desiredCount: 4
                  resourceType: Spot
                  spotStrategy: SpotWithPriceLimit
                  spotPriceLimit: 0.512 # per hour
                master: {instanceType: ecs.sn2.medium, desiredCount: 1}
              mounts:
                entries:
                  - source: oss://farm/scenes/
                    destination: /scenes/
                    writeSupport: false
                locale: UTF-8
              env:
                RENDER_THREADS: "8"
                TOKEN: {secretFrom: {env: FARM_TOKEN}}
              bootstrap: |
                #!/bin/sh
                echo "bootstrapping #$HOSTNAME"   # shell comment, not YAML
            ---
            """))
        #expect(out.hasPrefix("# Render farm: one cluster, one project, one DAG job.\n# Applied by the controller on every push.\n\napiVersion"))
        #expect(out.contains("  software:\n    name: blender\n    sceneSuffix: .blend\n"))
        #expect(out.contains("    render:\n      instanceCount: 4 # one per node\n      cluster: farm\n      command: blender -b scene.blend -a\n      env:\n"))
        // The result still decodes to valid manifests.
        let loaded = ManifestLoader().load(bytes: Array(out.utf8), name: "farm.yaml")
        #expect(loaded.manifests.count == 3)
    }

    @Test func theExamplesAreAlreadyCanonical() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        guard case .success(let files) = ManifestFormatter.files(at: root.appendingPathComponent("examples").path) else { return }
        for file in files {
            let text = try String(contentsOfFile: file, encoding: .utf8)
            _ = canonical(text)
        }
    }

    // MARK: Left alone

    @Test func anchorsAndAliasesAreSkipped() {
        let input = "base: &b {x: 1}\nother: *b\n"
        #expect(ManifestFormatter().format(input) == .skipped(ManifestFormatter.anchorsReason))
    }

    @Test func syntaxErrorsAreReportedWithTheirPlace() {
        guard case .syntaxError(let p) = ManifestFormatter().format("a: 1\nb: [unclosed\nc: 2\n") else {
            Issue.record("expected a syntax error"); return
        }
        #expect(p.mark.line >= 2)
        guard case .syntaxError(let tab) = ManifestFormatter().format("a:\n\tb: 1\n") else { Issue.record("tab"); return }
        #expect(tab.message.contains("tab"))
    }

    @Test func filesWithoutDocumentsAreUnchanged() {
        #expect(ManifestFormatter().format("") == .formatted(""))
        #expect(ManifestFormatter().format("# just a note\n\n# another\n") == .formatted("# just a note\n\n# another\n"))
    }

    @Test func directivesAreSkipped() {
        guard case .skipped(let why) = ManifestFormatter().format("%YAML 1.1\n---\na: 1\n") else { Issue.record("not skipped"); return }
        #expect(why.contains("directives"))
    }

    // MARK: Regressions found by random documents

    @Test func noBlankLineIsAddedToAKeepScalar() {
        // `spec` moves up under the keep scalar; its blank line would have joined the scalar's value.
        let out = canonical("apiVersion: v\nkind: Other\nmetadata: |+\n  text\nzz: 1\n\nspec: 2\n")
        #expect(out == "apiVersion: v\nkind: Other\nmetadata: |+\n  text\nspec: 2\nzz: 1\n")
        let moved = canonical("apiVersion: v\nkind: Other\nspec: |+\n  text\n\nmetadata: 1\n")
        #expect(moved == "apiVersion: v\nkind: Other\nmetadata: 1\nspec: |+\n  text\n\n")
    }

    @Test func aCommentAfterAClosingBracketStaysWithItsCollection() {
        let out = canonical("a: [x,\n  y\n] # after\nb: 1\n")
        #expect(out == "a:\n  - x\n  - y # after\nb: 1\n")
    }

    @Test func randomDocumentsKeepTheGuarantees() {
        for seed in 0..<150 as Range<UInt64> {
            var generator = RandomYAML(rng: SplitMix(seed: seed))
            _ = canonical(generator.document())
        }
    }
}

/// Deterministic random numbers, so a failing random case can be replayed from its seed.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D1_33EB_2311_CEEB
        return z ^ (z >> 31)
    }
}

/// Messy but valid YAML: uneven indentation, comments wherever an entry may start, blank lines,
/// every scalar style, flow collections on one line and over several, keys that fmt reorders.
struct RandomYAML {
    var rng: SplitMix
    let keys = ["apiVersion", "metadata", "spec", "name", "labels", "description", "imageId", "groups",
                "instanceType", "desiredCount", "env", "tasks", "command", "cluster", "zz", "aa"]

    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &rng) < p }
    mutating func number(_ r: ClosedRange<Int>) -> Int { Int.random(in: r, using: &rng) }
    func pad(_ n: Int) -> String { String(repeating: " ", count: max(0, n)) }

    mutating func document() -> String {
        var out = [chance(0.3) ? "# header" : "", "kind: " + ["Cluster", "Job", "RenderProject", "Other"][number(0...3)]]
        mapping(0, 0, &out)
        return out.joined(separator: "\n") + "\n"
    }

    mutating func extras(_ indent: Int, _ out: inout [String]) {
        if chance(0.15) { out.append("") }
        if chance(0.2) { out.append(pad(indent + number(-2...2)) + "# c\(number(0...999_999))") }
    }

    mutating func trailing() -> String { chance(0.2) ? "  # t\(number(0...999_999))" : "" }

    mutating func scalar(_ indent: Int) -> String {
        let more = pad(indent + number(1...3))
        let choices = [#""q # h \" x""#, "'s # ''x'''", "plain value", "42", "", "~", "[a, {b: c}]",
                       "\"multi\n\(more)line # in\"", "plain\n\(more)continued", "|\n\(more)block # text\n\n\(more)  deeper",
                       ">-\n\(more)folded", "|+\n\(more)kept\n", "[\n\(more)a, # in flow\n\(more)b\n\(more)]"]
        return choices[number(0...(choices.count - 1))]
    }

    mutating func mapping(_ indent: Int, _ depth: Int, _ out: inout [String]) {
        for key in keys.shuffled(using: &rng).prefix(number(1...4)) {
            extras(indent, &out)
            let roll = Double.random(in: 0..<1, using: &rng)
            if depth < 3, roll < 0.3 {
                out.append(pad(indent) + key + ":" + trailing())
                mapping(indent + number(1...4), depth + 1, &out)
            } else if depth < 3, roll < 0.5 {
                out.append(pad(indent) + key + ":" + trailing())
                sequence(indent + [0, 2, 3][number(0...2)], depth + 1, &out)
            } else {
                let s = scalar(indent)
                out.append(pad(indent) + key + ":" + (s.isEmpty ? "" : " " + s) + (s.contains("\n") ? "" : trailing()))
            }
        }
    }

    mutating func sequence(_ indent: Int, _ depth: Int, _ out: inout [String]) {
        for _ in 0..<number(1...3) {
            extras(indent, &out)
            if depth < 3, chance(0.4) {
                let gap = number(1...3)
                var sub: [String] = []
                mapping(indent + 1 + gap, depth + 1, &sub)
                let lead = sub.prefix { $0.isEmpty || $0.trimmingCharacters(in: .whitespaces).hasPrefix("#") }
                out.append(contentsOf: lead)
                let rest = sub.dropFirst(lead.count)
                out.append(pad(indent) + "-" + pad(gap) + rest.first!.trimmingCharacters(in: .whitespaces))
                out.append(contentsOf: rest.dropFirst())
            } else {
                let s = scalar(indent + 1)
                out.append(pad(indent) + "-" + (s.isEmpty ? "" : " " + s))
            }
        }
    }
}
