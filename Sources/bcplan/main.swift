import BCCommands

BCPlanRoot.main()
