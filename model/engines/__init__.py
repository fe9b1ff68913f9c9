"""The engines layer: functions of terms, inputs and an explicit as-of date."""
