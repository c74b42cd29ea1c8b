import BCCommands

@main
enum BCApplyMain {
    static func main() async { await BCApplyRoot.runAndExit() }
}
