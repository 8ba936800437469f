"""What the two Kafka templates share (Upstash's hosted connectors and any Kafka Connect): the
catalogue of connector classes with their common properties, and the form that edits a
connector's flat properties map as fields, as key=value lines or as raw JSON."""
