"""Machine streams: MQTT, Sparkplug B and OPC UA readings landed as canonical Measurement data."""
