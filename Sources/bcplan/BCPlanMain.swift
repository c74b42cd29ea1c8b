import BCCommands

@main
enum BCPlanMain {
    static func main() async { await BCPlanRoot.runAndExit() }
}
