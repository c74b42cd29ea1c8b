import BCCommands

BCCtlRoot.main()
