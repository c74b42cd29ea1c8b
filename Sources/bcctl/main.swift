print("bcplan")
