"""What runs inside the Rasa process: the Chinese spaCy pipeline built from the knowledge base, the
entity extractor on top of it, the chat channel the gateway calls and the tracker store behind it."""
