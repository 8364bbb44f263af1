"""The `messages` capability: template messages with consent, follows, chat, contacts, sharing."""
