"""Shipped translations of the customer-facing texts in escalation.texts (English there)."""

TRANSLATIONS: dict[str, dict[str, str]] = {
    "es": {
        "greeting": "¡Hola! Soy el asistente: pregúntame por pedidos, envíos, devoluciones, "
        "pagos o tu cuenta y te respondo al momento. Si prefieres hablar con una persona, "
        "dímelo: alguien de nuestro equipo está a un solo mensaje.",
        "fallback": "Lo siento, eso no lo puedo responder aquí. ¿Podrías decirlo de otra forma o "
        "preguntarme otra cosa?",
        "person_declined": "Ahora mismo nuestro equipo no atiende chats aquí, pero con gusto te "
        "ayudo. ¿Qué necesitas saber?",
        "handoff": "Quiero ponerte en contacto con un especialista que pueda ayudarte con esto. He "
        "compartido nuestra conversación con el equipo, así que no tendrás que repetir nada.",
        "shortly": "Alguien se unirá a este chat en breve.",
        "queued": "Eres el número {position} en la cola; la espera es de unos {minutes} min.",
        "nobody_free": "Ahora mismo todas las personas que pueden ayudarte están ocupadas; "
        "conservas tu lugar en la cola.",
        "introduce": "He compartido nuestra conversación con {agent}, así que no tendrás que "
        "repetir nada.",
        "rephrase": "Quiero asegurarme de entenderte bien. ¿Podrías contarme un poco más o decirlo "
        "de otra forma?",
        "wait_update": "Gracias por esperar. Ahora eres el número {position} en la cola; quedan "
        "unos {minutes} min.",
        "wait_update_unknown": "Gracias por esperar. Todas las personas que pueden ayudarte siguen "
        "ocupadas; conservas tu lugar en la cola y te mantendré al tanto.",
        "nobody_online": "Ahora mismo no hay nadie conectado que pueda ayudarte con esto. Eres "
        "el número {position} en la cola, y la primera persona que vuelva verá todo lo que has "
        "escrito. Si prefieres no esperar, podemos llamarte o responderte por correo electrónico.",
        "team_hours_today": "Hoy nuestro equipo atiende hasta las {time} (hora de {zone}).",
        "nobody_online_update": "Todavía no hay nadie conectado que pueda ayudarte con esto; eres "
        "el número {position} en la cola.",
        "callback_offer": "Siento que esto esté tardando más de lo que nos gustaría. ¿Prefieres "
        "que te llamemos a la hora que mejor te venga o que te respondamos por correo electrónico? "
        "Conservas tu lugar en la cola hasta que elijas.",
        "choice_callback": "Que me llamen",
        "choice_email": "Que me escriban",
        "choice_wait": "Seguir esperando",
        "keep_waiting": "Por supuesto, conservas tu lugar en la cola.",
        "added_to_conversation": "Añadido a tu conversación: quien la atienda lo verá.",
        "callback_slots": "¿Cuándo te llamamos? Elige una hora (hora de {zone}) y comprueba tu "
        "número de teléfono.",
        "callback_confirmed": "Listo: te llamaremos al {phone}, {when} (hora de {zone}). Para que "
        "no tengas que volver a explicarlo todo, este es el tema de la llamada: {summary}",
        "email_confirmed": "Listo: te responderemos por correo electrónico a {email} a más tardar "
        "{when} (hora de {zone}). Esto es lo que vamos a revisar: {summary}",
        "off_hours": "Nuestro equipo no está disponible en este momento y vuelve {when} (hora de "
        "{zone}). Puedo programar una llamada para el próximo día laborable o una respuesta por "
        "correo electrónico.",
        "urgent_info": "Si es urgente ({criteria}), avisamos de inmediato a nuestro especialista "
        "de guardia.",
        "emergency": "Esto es urgente, así que estoy contactando ahora con nuestro especialista de "
        "guardia. Si nadie puede atenderte en {minutes} min, te llamaremos a más tardar {deadline} "
        "(hora de {zone}). Déjanos un número de teléfono o un correo electrónico en el que podamos "
        "localizarte.",
        "choice_phone": "Guardar mi número",
        "phone_saved": "Gracias, te llamaremos al {phone} si es necesario.",
        "choice_contact_email": "Guardar mi correo",
        "email_saved": "Gracias, te escribiremos a {email} si no podemos atenderte aquí.",
        "guaranteed_in_chat": "Nuestro especialista de guardia no ha podido conectarse a tiempo. "
        "No nos has dejado un teléfono ni un correo electrónico, así que te responderemos aquí, "
        "en este chat, a más tardar {deadline} (hora de {zone}): mantén esta página abierta o "
        "vuelve a ella. Todavía puedes dejarnos un número o una dirección abajo.",
        "guaranteed_callback": "Nuestro especialista de guardia no ha podido conectarse a tiempo. "
        "Hemos registrado una llamada de vuelta garantizada: nos pondremos en contacto contigo a "
        "través de {contact} a más tardar {deadline} (hora de {zone}).",
        "email_subject": "Tu solicitud: nos pondremos en contacto contigo {when}",
        "email_body": "Hola, {name}:\n\n{confirmation}\n\nTu número de referencia: "
        "{reference}\n\nSi algo cambia, responde a este correo o vuelve a abrir el chat.\n",
        "slot_label": "{day} {time}",
        "error_phone": "Indica un número de teléfono, por ejemplo +34 912 345 678.",
        "error_email": "Indica una dirección de correo electrónico, por ejemplo tu@ejemplo.com.",
        "error_stale": "Esa oferta se ha sustituido por una más reciente, más abajo.",
        "error_chosen": "Ya elegiste una opción aquí.",
        "error_not_waiting": "Ya no estás esperando en la cola.",
        "error_slot_passed": "Esa hora ya ha pasado; elige una más tarde.",
        "survey_csat": "Gracias por escribirnos. ¿Qué tan satisfecho estás con la ayuda recibida, de 1 (nada) a 5 (mucho)?",
        "survey_repeat": "¿Tuviste que repetir algún dato que ya habías dado?",
        "survey_comment": "¿Quieres contarnos algo más? Un breve comentario nos ayuda a mejorar.",
        "survey_thanks": "Gracias, nos ayuda mucho.",
        "choice_yes": "Sí",
        "choice_no": "No",
        "choice_send": "Enviar",
        "choice_skip": "Sin comentarios",
    },
    "fr": {
        "greeting": "Bonjour ! Je suis l'assistant : posez-moi vos questions sur les commandes, "
        "la livraison, les retours, les paiements ou votre compte, je vous réponds tout de "
        "suite. Si vous préférez parler à une personne, dites-le simplement : un membre de notre "
        "équipe n'est qu'à un message.",
        "fallback": "Désolé, je ne peux pas répondre à cela ici. Pourriez-vous le formuler "
        "autrement, ou me demander autre chose ?",
        "person_declined": "Notre équipe ne prend pas de discussions ici pour le moment, mais je "
        "vous aide volontiers. Que souhaitez-vous savoir ?",
        "handoff": "Je souhaite vous mettre en relation avec un spécialiste qui pourra vous aider. "
        "J'ai partagé notre conversation avec l'équipe, vous n'aurez donc rien à répéter.",
        "shortly": "Quelqu'un va rejoindre ce chat sous peu.",
        "queued": "Vous êtes numéro {position} dans la file ; l'attente est d'environ {minutes} "
        "min.",
        "nobody_free": "Toutes les personnes qui peuvent vous aider sont occupées pour le moment ; "
        "vous gardez votre place dans la file.",
        "introduce": "J'ai partagé notre conversation avec {agent}, vous n'aurez donc rien à "
        "répéter.",
        "rephrase": "Je veux être sûr de bien comprendre. Pourriez-vous m'en dire un peu plus, ou "
        "le formuler autrement ?",
        "wait_update": "Merci de votre patience. Vous êtes maintenant numéro {position} dans la "
        "file ; encore environ {minutes} min.",
        "wait_update_unknown": "Merci de votre patience. Toutes les personnes qui peuvent vous "
        "aider sont encore occupées ; vous gardez votre place dans la file et je vous tiens au "
        "courant.",
        "nobody_online": "Personne ne peut vous aider en ligne pour le moment. Vous êtes "
        "numéro {position} dans la file, et la première personne de retour verra tout ce que vous "
        "avez écrit. Plutôt que d'attendre, nous pouvons vous rappeler ou vous répondre par "
        "e-mail.",
        "team_hours_today": "Aujourd'hui, notre équipe est là jusqu'à {time} (heure de {zone}).",
        "nobody_online_update": "Personne ne peut encore vous aider en ligne ; vous êtes numéro "
        "{position} dans la file.",
        "callback_offer": "Je suis désolé que cela prenne plus de temps que nous le voudrions. "
        "Préférez-vous que nous vous rappelions à un moment qui vous convient, ou que nous vous "
        "répondions par e-mail ? Vous gardez votre place dans la file jusqu'à ce que vous "
        "choisissiez.",
        "choice_callback": "Rappelez-moi",
        "choice_email": "Écrivez-moi",
        "choice_wait": "Continuer d'attendre",
        "keep_waiting": "Bien sûr, vous gardez votre place dans la file.",
        "added_to_conversation": "Ajouté à votre conversation : la personne qui la prendra le "
        "verra.",
        "callback_slots": "Quand devons-nous vous appeler ? Choisissez un créneau (heure de "
        "{zone}) et vérifiez votre numéro de téléphone.",
        "callback_confirmed": "C'est noté : nous vous appellerons au {phone}, {when} (heure de "
        "{zone}). Pour que vous n'ayez pas à tout réexpliquer, voici ce dont nous parlerons : "
        "{summary}",
        "email_confirmed": "C'est noté : nous vous répondrons par e-mail à {email} au plus tard "
        "{when} (heure de {zone}). Voici ce que nous allons examiner : {summary}",
        "off_hours": "Notre équipe est absente pour le moment et sera de retour {when} (heure de "
        "{zone}). Je peux organiser un appel le prochain jour ouvré, ou une réponse par e-mail.",
        "urgent_info": "Si c'est urgent ({criteria}), notre spécialiste d'astreinte est contacté "
        "immédiatement.",
        "emergency": "C'est urgent, je contacte donc dès maintenant notre spécialiste d'astreinte. "
        "Si personne ne peut vous rejoindre dans les {minutes} min, nous vous rappellerons au plus "
        "tard {deadline} (heure de {zone}). Merci de nous laisser un numéro de téléphone ou une "
        "adresse e-mail pour vous joindre.",
        "choice_phone": "Enregistrer mon numéro",
        "phone_saved": "Merci, nous vous appellerons au {phone} si nécessaire.",
        "choice_contact_email": "Enregistrer mon e-mail",
        "email_saved": "Merci, nous vous écrirons à {email} si nous ne pouvons pas vous répondre "
        "ici.",
        "guaranteed_in_chat": "Notre spécialiste d'astreinte n'a pas pu vous rejoindre à temps. "
        "Vous ne nous avez laissé ni numéro de téléphone ni adresse e-mail : nous vous "
        "répondrons donc ici, dans ce chat, au plus tard {deadline} (heure de {zone}). Gardez "
        "cette page ouverte ou revenez-y. Vous pouvez encore laisser un numéro ou une adresse "
        "ci-dessous.",
        "guaranteed_callback": "Notre spécialiste d'astreinte n'a pas pu vous rejoindre à temps. "
        "Nous avons enregistré un rappel garanti : nous vous contacterons via {contact} au plus "
        "tard {deadline} (heure de {zone}).",
        "email_subject": "Votre demande : nous reviendrons vers vous {when}",
        "email_body": "Bonjour {name},\n\n{confirmation}\n\nVotre référence : {reference}\n\nSi "
        "quelque chose change, répondez à cet e-mail ou rouvrez le chat.\n",
        "slot_label": "{day} {time}",
        "error_phone": "Veuillez indiquer un numéro de téléphone, par exemple +33 1 23 45 67 89.",
        "error_email": "Veuillez indiquer une adresse e-mail, par exemple vous@exemple.fr.",
        "error_stale": "Cette proposition a été remplacée par une plus récente, plus bas.",
        "error_chosen": "Vous avez déjà choisi une option ici.",
        "error_not_waiting": "Vous n'êtes plus dans la file d'attente.",
        "error_slot_passed": "Cet horaire est passé ; veuillez en choisir un plus tard.",
        "survey_csat": "Merci pour cet échange. Dans quelle mesure êtes-vous satisfait de l'aide reçue, de 1 (pas du tout) à 5 (tout à fait) ?",
        "survey_repeat": "Avez-vous dû répéter des informations déjà données ?",
        "survey_comment": "Souhaitez-vous nous dire quelque chose ? Un court commentaire nous aide à progresser.",
        "survey_thanks": "Merci, cela nous aide beaucoup.",
        "choice_yes": "Oui",
        "choice_no": "Non",
        "choice_send": "Envoyer",
        "choice_skip": "Pas de commentaire",
    },
    "de": {
        "greeting": "Hallo! Ich bin der Assistent: Fragen Sie mich zu Bestellungen, Lieferung, "
        "Rücksendungen, Zahlungen oder Ihrem Konto, und ich antworte sofort. Wenn Sie lieber mit "
        "einem Menschen sprechen möchten, sagen Sie es einfach: Jemand aus unserem Team ist nur "
        "eine Nachricht entfernt.",
        "fallback": "Das kann ich hier leider nicht beantworten. Können Sie es anders "
        "formulieren oder mich etwas anderes fragen?",
        "person_declined": "Unser Team nimmt hier gerade keine Chats an, aber ich helfe Ihnen gern. "
        "Was möchten Sie wissen?",
        "handoff": "Ich möchte Sie mit einem Spezialisten verbinden, der Ihnen dabei helfen kann. "
        "Ich habe unser Gespräch mit dem Team geteilt, Sie müssen also nichts wiederholen.",
        "shortly": "Gleich meldet sich jemand in diesem Chat.",
        "queued": "Sie sind Nummer {position} in der Warteschlange; die Wartezeit beträgt etwa "
        "{minutes} Min.",
        "nobody_free": "Alle, die Ihnen dabei helfen können, sind gerade beschäftigt; Sie behalten "
        "Ihren Platz in der Warteschlange.",
        "introduce": "Ich habe unser Gespräch mit {agent} geteilt, Sie müssen also nichts "
        "wiederholen.",
        "rephrase": "Ich möchte sichergehen, dass ich Sie richtig verstehe. Können Sie es etwas "
        "genauer oder anders formulieren?",
        "wait_update": "Danke für Ihre Geduld. Sie sind jetzt Nummer {position} in der "
        "Warteschlange; noch etwa {minutes} Min.",
        "wait_update_unknown": "Danke für Ihre Geduld. Alle, die Ihnen helfen können, sind noch "
        "beschäftigt; Sie behalten Ihren Platz in der Warteschlange, und ich halte Sie auf dem "
        "Laufenden.",
        "nobody_online": "Gerade ist niemand online, der Ihnen dabei helfen kann. Sie sind "
        "Nummer {position} in der Warteschlange, und wer als Erstes zurück ist, sieht alles, was "
        "Sie geschrieben haben. Statt zu warten, können wir Sie zurückrufen oder per E-Mail "
        "antworten.",
        "team_hours_today": "Unser Team ist heute bis {time} Uhr da (Zeitzone {zone}).",
        "nobody_online_update": "Noch ist niemand online, der Ihnen dabei helfen kann; Sie sind "
        "Nummer {position} in der Warteschlange.",
        "callback_offer": "Es tut mir leid, dass es länger dauert als gewünscht. Möchten Sie "
        "lieber zu einer für Sie passenden Zeit zurückgerufen werden, oder sollen wir uns per "
        "E-Mail bei Ihnen melden? Bis Sie sich entscheiden, behalten Sie Ihren Platz in der "
        "Warteschlange.",
        "choice_callback": "Bitte zurückrufen",
        "choice_email": "Per E-Mail antworten",
        "choice_wait": "Weiter warten",
        "keep_waiting": "Selbstverständlich, Sie behalten Ihren Platz in der Warteschlange.",
        "added_to_conversation": "Zu Ihrem Gespräch hinzugefügt: Wer es übernimmt, sieht es.",
        "callback_slots": "Wann sollen wir Sie anrufen? Wählen Sie eine Uhrzeit (Zeitzone {zone}) "
        "und prüfen Sie Ihre Telefonnummer.",
        "callback_confirmed": "Erledigt: Wir rufen Sie {when} (Zeitzone {zone}) unter {phone} an. "
        "Damit Sie nichts noch einmal erklären müssen, hier das Thema unseres Gesprächs: {summary}",
        "email_confirmed": "Erledigt: Wir antworten Ihnen spätestens {when} (Zeitzone {zone}) per "
        "E-Mail an {email}. Das sehen wir uns an: {summary}",
        "off_hours": "Unser Team ist gerade nicht erreichbar und {when} (Zeitzone {zone}) wieder "
        "für Sie da. Ich kann einen Anruf am nächsten Werktag oder eine Antwort per E-Mail für Sie "
        "veranlassen.",
        "urgent_info": "Wenn es dringend ist ({criteria}), wird unser Spezialist im "
        "Bereitschaftsdienst sofort kontaktiert.",
        "emergency": "Das ist dringend, deshalb kontaktiere ich jetzt unseren Spezialisten im "
        "Bereitschaftsdienst. Falls sich innerhalb von {minutes} Min. niemand meldet, rufen wir "
        "Sie spätestens {deadline} (Zeitzone {zone}) zurück. Bitte hinterlassen Sie eine "
        "Telefonnummer oder eine E-Mail-Adresse, unter der wir Sie erreichen können.",
        "choice_phone": "Nummer speichern",
        "phone_saved": "Vielen Dank, wir rufen Sie bei Bedarf unter {phone} an.",
        "choice_contact_email": "E-Mail speichern",
        "email_saved": "Vielen Dank, wir schreiben an {email}, falls wir Sie hier nicht erreichen.",
        "guaranteed_in_chat": "Unser Spezialist im Bereitschaftsdienst konnte nicht rechtzeitig "
        "dazukommen. Sie haben uns keine Telefonnummer und keine E-Mail-Adresse hinterlassen, "
        "deshalb antworten wir Ihnen spätestens {deadline} (Zeitzone {zone}) hier im Chat: "
        "Lassen Sie diese Seite offen oder kommen Sie zu ihr zurück. Sie können unten noch eine "
        "Nummer oder eine Adresse hinterlassen.",
        "guaranteed_callback": "Unser Spezialist im Bereitschaftsdienst konnte nicht rechtzeitig "
        "dazukommen. Wir haben einen garantierten Rückruf vermerkt: Wir melden uns spätestens "
        "{deadline} (Zeitzone {zone}) unter {contact} bei Ihnen.",
        "email_subject": "Ihre Anfrage: Wir melden uns {when} bei Ihnen",
        "email_body": "Hallo {name},\n\n{confirmation}\n\nIhre Vorgangsnummer: "
        "{reference}\n\nFalls sich etwas ändert, antworten Sie einfach auf diese E-Mail oder "
        "öffnen Sie den Chat erneut.\n",
        "slot_label": "{day} {time}",
        "error_phone": "Bitte geben Sie eine Telefonnummer an, zum Beispiel +49 30 1234567.",
        "error_email": "Bitte geben Sie eine E-Mail-Adresse an, zum Beispiel sie@beispiel.de.",
        "error_stale": "Dieses Angebot wurde durch ein neueres weiter unten ersetzt.",
        "error_chosen": "Sie haben hier bereits eine Option gewählt.",
        "error_not_waiting": "Sie warten nicht mehr in der Warteschlange.",
        "error_slot_passed": "Diese Uhrzeit ist bereits vorbei; bitte wählen Sie eine spätere.",
        "survey_csat": "Danke für das Gespräch. Wie zufrieden sind Sie mit der Hilfe, von 1 (gar nicht) bis 5 (sehr)?",
        "survey_repeat": "Mussten Sie Angaben wiederholen, die Sie schon gemacht hatten?",
        "survey_comment": "Möchten Sie uns noch etwas sagen? Ein kurzer Kommentar hilft uns, besser zu werden.",
        "survey_thanks": "Vielen Dank, das hilft uns sehr.",
        "choice_yes": "Ja",
        "choice_no": "Nein",
        "choice_send": "Senden",
        "choice_skip": "Kein Kommentar",
    },
}
