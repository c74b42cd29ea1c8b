import BCCommands

BCApplyRoot.main()
