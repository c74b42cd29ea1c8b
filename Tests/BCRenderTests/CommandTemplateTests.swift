import Foundation
import Testing
import BCModel
@testable import BCRender

@Suite struct CommandTemplateTests {
    static let vars = ["CPU": "4", "START_FRAME": "1", "END_FRAME": "5", "FRAMES": "1-3,5",
                       "OUTPUT_LOCAL_DIR": "/out", "SCENE": "/data/my scene.blend"]

    @Test func builtInsAreTheModelsList() {
        #expect(CommandTemplate.builtInVariables == RenderSoftware.builtInVariables)
    }

    @Test func substitutesBareAndBracedNames() throws {
        let rendered = try CommandTemplate.render(
            "mysoft --scene $SCENE --out ${OUTPUT_LOCAL_DIR}/img -f $FRAMES -t ${CPU}x -s $START_FRAME-$END_FRAME",
            variables: Self.vars)
        #expect(rendered == "mysoft --scene '/data/my scene.blend' --out /out/img -f 1-3,5 -t 4x -s 1-5")
    }

    @Test func dollarDollarIsALiteralDollar() throws {
        #expect(try CommandTemplate.render("echo $$HOME $$$CPU", variables: Self.vars) == "echo $HOME $4")
        #expect(try CommandTemplate.render("cost 5$ and $ and $-x", variables: [:]) == "cost 5$ and $ and $-x")
    }

    @Test func unknownVariableThrows() {
        #expect(throws: CommandTemplate.TemplateError.unknownVariable("SCEN")) {
            try CommandTemplate.render("x $SCEN", variables: Self.vars)
        }
        // The name runs on through letters, digits and _, as BCModel's validation reads it.
        #expect(throws: CommandTemplate.TemplateError.unknownVariable("CPU0")) {
            try CommandTemplate.render("-t $CPU0", variables: Self.vars)
        }
        #expect(throws: CommandTemplate.TemplateError.malformed("${CPU")) {
            try CommandTemplate.render("-t ${CPU", variables: Self.vars)
        }
    }

    @Test func quoting() {
        #expect(CommandTemplate.shellQuoted("/a/b_c-1.blend") == "/a/b_c-1.blend")
        #expect(CommandTemplate.shellQuoted("a=b,c+d@e%f:g") == "a=b,c+d@e%f:g")
        #expect(CommandTemplate.shellQuoted("it's") == "'it'\\''s'")
        #expect(CommandTemplate.shellQuoted("") == "''")
        #expect(CommandTemplate.shellQuoted("a;rm -rf /") == "'a;rm -rf /'")
        #expect(CommandTemplate.shellQuoted("$(id)") == "'$(id)'")
    }

    /// What `/bin/sh -c` receives is exactly the value, one word, however hostile.
    @Test func valuesSurviveTheShell() throws {
        let values = ["plain", "two words", "it's", "'", "''", "$HOME", "`id`", "$(id)", "a\"b", "*", "~", "x\ny",
                      "", "tab\there", "back\\slash", "ünïcode 字", "'\u{301}quote"]
        for value in values {
            let command = try CommandTemplate.render("printf '%s|' $V", variables: ["V": value])
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", command]
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            #expect(String(decoding: data, as: UTF8.self) == value + "|", "\(command)")
        }
    }
}
