"""Replies to greetings, thanks, goodbyes and venting: conversation, not facts, so they come
from these fixed texts rather than the knowledge base."""

from assistant.labels import SMALLTALK_INTENTS

__all__ = ["SMALLTALK_INTENTS", "smalltalk_reply"]

REPLIES: dict[str, dict[str, str]] = {
    "greeting": {
        "en": "Hello! I'm the store's assistant. What can I help you with today?",
        "es": "¡Hola! Soy el asistente de la tienda. ¿En qué puedo ayudarte hoy?",
        "fr": "Bonjour ! Je suis l'assistant de la boutique. Comment puis-je vous aider ?",
        "de": "Hallo! Ich bin der Assistent des Shops. Wobei kann ich Ihnen helfen?",
    },
    "thanks": {
        "en": "You're welcome! Is there anything else I can help you with?",
        "es": "¡De nada! ¿Hay algo más en lo que pueda ayudarte?",
        "fr": "Avec plaisir ! Puis-je vous aider pour autre chose ?",
        "de": "Gern geschehen! Kann ich Ihnen sonst noch helfen?",
    },
    "goodbye": {
        "en": "Thanks for chatting with us. Have a lovely day!",
        "es": "Gracias por escribirnos. ¡Que tengas un buen día!",
        "fr": "Merci de nous avoir écrit. Très bonne journée !",
        "de": "Danke für Ihre Nachricht. Einen schönen Tag noch!",
    },
    "complaint": {
        "en": "I'm really sorry this has been so frustrating. Tell me what happened with your order "
        "and I'll do my best to sort it out.",
        "es": "Siento mucho que esto haya sido tan frustrante. Cuéntame qué pasó con tu pedido y "
        "haré todo lo posible por solucionarlo.",
        "fr": "Je suis vraiment désolé que ce soit si frustrant. Dites-moi ce qui s'est passé avec "
        "votre commande et je ferai de mon mieux pour arranger cela.",
        "de": "Es tut mir wirklich leid, dass das so ärgerlich war. Erzählen Sie mir, was mit Ihrer "
        "Bestellung passiert ist, und ich kümmere mich darum.",
    },
}


def smalltalk_reply(intent: str, language: str) -> str:
    texts = REPLIES[intent]
    return texts.get(language, texts["en"])
