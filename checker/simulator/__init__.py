"""The event simulator: which trails capture an event, where it is delivered, which alarms fire."""
