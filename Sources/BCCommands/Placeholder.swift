public enum BCCommandsPlaceholder {}
