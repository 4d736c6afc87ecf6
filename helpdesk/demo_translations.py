"""Spanish, French and German versions of the demo store's knowledge base (demo_data.ARTICLES)."""

# English title -> language -> (title, tags, body)
TRANSLATIONS: dict[str, dict[str, tuple[str, str, str]]] = {
    "Tracking your order": {
        "es": (
            "Seguimiento de tu pedido",
            "pedido, seguimiento, estado, dónde está mi pedido, paquete, envío",
            "Cuando tu pedido se envía, te mandamos por correo electrónico un enlace de "
            "seguimiento. También puedes abrir Mi cuenta > Pedidos y elegir el pedido para ver "
            "su estado y el número de seguimiento del transportista. El seguimiento puede tardar "
            "hasta 24 horas en mostrar el primer escaneo después de que se cree la etiqueta.",
        ),
        "fr": (
            "Suivre votre commande",
            "commande, suivi, statut, où est ma commande, colis, suivi de colis",
            "Dès que votre commande est expédiée, nous vous envoyons un lien de suivi par "
            "e-mail. Vous pouvez aussi ouvrir Mon compte > Commandes et choisir la commande pour "
            "voir son statut et le numéro de suivi du transporteur. Après la création de "
            "l'étiquette, le premier scan peut mettre jusqu'à 24 heures à apparaître dans le "
            "suivi.",
        ),
        "de": (
            "Ihre Bestellung verfolgen",
            "Bestellung, Sendungsverfolgung, Status, wo ist meine Bestellung, Paket, Tracking",
            "Sobald Ihre Bestellung versandt wird, senden wir Ihnen per E-Mail einen Link zur "
            "Sendungsverfolgung. Sie können auch Mein Konto > Bestellungen öffnen und die "
            "Bestellung auswählen, um ihren Status und die Sendungsnummer des "
            "Versanddienstleisters zu sehen. Nach der Erstellung des Versandetiketts kann es bis "
            "zu 24 Stunden dauern, bis der erste Scan in der Sendungsverfolgung erscheint.",
        ),
    },
    "Delivery options and times": {
        "es": (
            "Opciones y plazos de entrega",
            "entrega, envío, exprés, estándar, cuánto tarda, plazo de entrega",
            "La entrega estándar tarda de 3 a 5 días hábiles y es gratuita en pedidos de más de "
            "50 EUR. La entrega exprés tarda de 1 a 2 días hábiles y cuesta 9,90 EUR. Los "
            "pedidos realizados antes de las 14:00 en un día hábil salen de nuestro almacén el "
            "mismo día.",
        ),
        "fr": (
            "Options et délais de livraison",
            "livraison, expédition, express, standard, combien de temps, délai de livraison",
            "La livraison standard prend 3 à 5 jours ouvrés et est gratuite pour les commandes "
            "de plus de 50 EUR. La livraison express prend 1 à 2 jours ouvrés et coûte 9,90 EUR. "
            "Les commandes passées avant 14 h un jour ouvré quittent notre entrepôt le jour même.",
        ),
        "de": (
            "Lieferoptionen und Lieferzeiten",
            "Lieferung, Versand, Express, Standard, wie lange, Lieferzeit",
            "Der Standardversand dauert 3-5 Werktage und ist bei Bestellungen über 50 EUR "
            "kostenlos. Der Expressversand dauert 1-2 Werktage und kostet 9,90 EUR. "
            "Bestellungen, die an einem Werktag vor 14 Uhr eingehen, verlassen unser Lager noch "
            "am selben Tag.",
        ),
    },
    "Shipping to other countries": {
        "es": (
            "Envíos a otros países",
            "internacional, país, extranjero, enviar a, aduana, envío internacional",
            "Enviamos a todos los países de la Unión Europea, el Reino Unido, Suiza, Noruega, "
            "Estados Unidos y Canadá. La entrega internacional tarda de 5 a 10 días hábiles. En "
            "los pedidos fuera de la UE, la aduana del país de destino puede cobrar aranceles de "
            "importación.",
        ),
        "fr": (
            "Livraison dans d'autres pays",
            "international, pays, étranger, livrer à, douane, livraison internationale",
            "Nous livrons dans tous les pays de l'Union européenne, au Royaume-Uni, en Suisse, "
            "en Norvège, aux États-Unis et au Canada. La livraison internationale prend 5 à 10 "
            "jours ouvrés. Pour les commandes hors UE, la douane du pays de destination peut "
            "facturer des droits d'importation.",
        ),
        "de": (
            "Versand in andere Länder",
            "international, Land, Ausland, Versand nach, Zoll, Auslandsversand",
            "Wir liefern in alle Länder der Europäischen Union, ins Vereinigte Königreich, in "
            "die Schweiz, nach Norwegen, in die Vereinigten Staaten und nach Kanada. Der "
            "internationale Versand dauert 5-10 Werktage. Bei Bestellungen außerhalb der EU kann "
            "der Zoll des Ziellandes Einfuhrabgaben erheben.",
        ),
    },
    "Changing the shipping address": {
        "es": (
            "Cambiar la dirección de envío",
            "dirección, cambiar dirección, dirección incorrecta, dirección de entrega",
            "Puedes cambiar la dirección de entrega mientras el estado del pedido sea 'En "
            "proceso': abre Mi cuenta > Pedidos, elige el pedido y selecciona 'Editar "
            "dirección'. Una vez enviado el pedido, la dirección solo se puede cambiar con el "
            "transportista, mediante el enlace de tu correo de seguimiento.",
        ),
        "fr": (
            "Modifier l'adresse de livraison",
            "adresse, changer d'adresse, modifier l'adresse, mauvaise adresse, adresse de "
            "livraison",
            "Vous pouvez modifier l'adresse de livraison tant que le statut de la commande est « "
            "En cours de traitement » : ouvrez Mon compte > Commandes, choisissez la commande et "
            "sélectionnez « Modifier l'adresse ». Une fois la commande expédiée, l'adresse ne "
            "peut être modifiée qu'auprès du transporteur, via le lien figurant dans votre "
            "e-mail de suivi.",
        ),
        "de": (
            "Lieferadresse ändern",
            "Adresse, Adresse ändern, falsche Adresse, Lieferadresse",
            "Sie können die Lieferadresse ändern, solange der Bestellstatus 'In Bearbeitung' "
            "lautet: Öffnen Sie Mein Konto > Bestellungen, wählen Sie die Bestellung aus und "
            "dann 'Adresse bearbeiten'. Sobald die Bestellung versandt wurde, kann die Adresse "
            "nur noch beim Versanddienstleister geändert werden, über den Link in Ihrer E-Mail "
            "zur Sendungsverfolgung.",
        ),
    },
    "Cancelling an order": {
        "es": (
            "Cancelar un pedido",
            "cancelar, cancelación, cancelar pedido, anular pedido, cargo, gastos",
            "Los pedidos se pueden cancelar gratis hasta que se envían: abre Mi cuenta > Pedidos "
            "y selecciona 'Cancelar pedido'. Después del envío, rechaza la entrega o devuelve el "
            "paquete; en ese caso, se descuentan del reembolso 4,95 EUR de gastos de envío de la "
            "devolución.",
        ),
        "fr": (
            "Annuler une commande",
            "annuler, annulation, annuler commande, frais",
            "Les commandes peuvent être annulées gratuitement jusqu'à leur expédition : ouvrez "
            "Mon compte > Commandes et sélectionnez « Annuler la commande ». Après l'expédition, "
            "refusez la livraison ou renvoyez le colis ; dans ce cas, des frais de retour de "
            "4,95 EUR sont déduits du remboursement.",
        ),
        "de": (
            "Bestellung stornieren",
            "stornieren, Stornierung, Bestellung stornieren, Gebühr, Kosten",
            "Bestellungen können bis zum Versand kostenlos storniert werden: Öffnen Sie Mein "
            "Konto > Bestellungen und wählen Sie 'Bestellung stornieren'. Nach dem Versand "
            "verweigern Sie bitte die Annahme oder senden das Paket zurück; in diesem Fall "
            "werden 4,95 EUR Rücksendekosten von der Rückerstattung abgezogen.",
        ),
    },
    "Return policy": {
        "es": (
            "Política de devoluciones",
            "devolver, devolución, devoluciones, enviar de vuelta, política de devoluciones, "
            "cambio",
            "Puedes devolver cualquier artículo sin usar en un plazo de 30 días desde la "
            "entrega. Inicia la devolución en Mi cuenta > Pedidos > 'Devolver artículos', "
            "imprime la etiqueta prepagada y deja el paquete en cualquier punto de entrega del "
            "transportista. Los artículos rebajados solo se pueden devolver a cambio de saldo "
            "para la tienda.",
        ),
        "fr": (
            "Politique de retour",
            "retour, retours, renvoyer, politique de retour, échange",
            "Vous pouvez retourner tout article non utilisé dans les 30 jours suivant la "
            "livraison. Lancez un retour dans Mon compte > Commandes > « Retourner des articles "
            "», imprimez l'étiquette prépayée et déposez le colis dans n'importe quel point "
            "relais du transporteur. Les articles soldés ne peuvent être retournés qu'en échange "
            "d'un avoir.",
        ),
        "de": (
            "Rückgabebedingungen",
            "Rückgabe, Rücksendung, zurücksenden, Rückgabebedingungen, Rückgaberecht, Umtausch",
            "Sie können jeden ungenutzten Artikel innerhalb von 30 Tagen nach der Lieferung "
            "zurückgeben. Starten Sie die Rücksendung unter Mein Konto > Bestellungen > 'Artikel "
            "zurücksenden', drucken Sie das frankierte Rücksendeetikett aus und geben Sie das "
            "Paket an einer beliebigen Annahmestelle des Versanddienstleisters ab. Reduzierte "
            "Artikel können nur gegen ein Guthaben im Shop zurückgegeben werden.",
        ),
    },
    "Refund status and timing": {
        "es": (
            "Estado y plazo del reembolso",
            "reembolso, devolución del dinero, estado del reembolso, cuándo recibiré mi reembolso",
            "Hacemos el reembolso en un plazo de 5 días hábiles desde que recibimos tu "
            "devolución, al método de pago original. Tu banco puede tardar otros 3 a 5 días "
            "hábiles en reflejarlo. Puedes seguir el reembolso en Mi cuenta > Devoluciones.",
        ),
        "fr": (
            "Statut et délai de remboursement",
            "remboursement, être remboursé, statut du remboursement, quand serai-je remboursé",
            "Nous effectuons le remboursement dans les 5 jours ouvrés suivant la réception de "
            "votre retour, sur le moyen de paiement d'origine. Votre banque peut mettre 3 à 5 "
            "jours ouvrés supplémentaires pour le faire apparaître. Vous pouvez suivre le "
            "remboursement dans Mon compte > Retours.",
        ),
        "de": (
            "Status und Dauer der Rückerstattung",
            "Rückerstattung, Erstattung, Geld zurück, Erstattungsstatus, wann bekomme ich mein "
            "Geld zurück",
            "Wir erstatten den Betrag innerhalb von 5 Werktagen nach Eingang Ihrer Rücksendung "
            "auf die ursprüngliche Zahlungsart. Ihre Bank benötigt möglicherweise weitere 3-5 "
            "Werktage, bis die Gutschrift sichtbar ist. Sie können die Rückerstattung unter Mein "
            "Konto > Rücksendungen verfolgen.",
        ),
    },
    "Payment methods": {
        "es": (
            "Métodos de pago",
            "pago, pagar, tarjeta de crédito, paypal, métodos de pago, formas de pago",
            "Aceptamos Visa, Mastercard, American Express, PayPal, Apple Pay, Google Pay y "
            "transferencia bancaria. El cobro se realiza cuando se envía tu pedido, no cuando lo "
            "haces.",
        ),
        "fr": (
            "Moyens de paiement",
            "paiement, payer, carte de crédit, carte bancaire, paypal, moyens de paiement",
            "Nous acceptons Visa, Mastercard, American Express, PayPal, Apple Pay, Google Pay et "
            "le virement bancaire. Le paiement est prélevé à l'expédition de votre commande, et "
            "non au moment où vous la passez.",
        ),
        "de": (
            "Zahlungsarten",
            "Zahlung, bezahlen, Kreditkarte, PayPal, Zahlungsarten, Zahlungsmethoden",
            "Wir akzeptieren Visa, Mastercard, American Express, PayPal, Apple Pay, Google Pay "
            "und Banküberweisung. Die Zahlung wird beim Versand Ihrer Bestellung eingezogen, "
            "nicht bei der Bestellung.",
        ),
    },
    "Changing your payment card": {
        "es": (
            "Cambiar tu tarjeta de pago",
            "tarjeta, cambiar tarjeta, actualizar tarjeta, datos de pago",
            "Para cambiar la tarjeta de un pedido que aún no se ha enviado, abre Mi cuenta > "
            "Pedidos, elige el pedido y selecciona 'Cambiar método de pago'. Las tarjetas "
            "guardadas se gestionan en Mi cuenta > Métodos de pago.",
        ),
        "fr": (
            "Changer votre carte de paiement",
            "carte, changer de carte, mettre à jour la carte, informations de paiement",
            "Pour changer la carte d'une commande qui n'a pas encore été expédiée, ouvrez Mon "
            "compte > Commandes, choisissez la commande et sélectionnez « Changer de moyen de "
            "paiement ». Les cartes enregistrées se gèrent dans Mon compte > Moyens de paiement.",
        ),
        "de": (
            "Zahlungskarte ändern",
            "Karte, Karte ändern, Karte aktualisieren, Zahlungsdaten",
            "Um die Karte für eine noch nicht versandte Bestellung zu ändern, öffnen Sie Mein "
            "Konto > Bestellungen, wählen Sie die Bestellung aus und dann 'Zahlungsart ändern'. "
            "Gespeicherte Karten verwalten Sie unter Mein Konto > Zahlungsarten.",
        ),
    },
    "Invoices": {
        "es": (
            "Facturas",
            "factura, recibo, iva, justificante",
            "Cuando se envía tu pedido, te mandamos la factura por correo electrónico. Puedes "
            "descargar todas las facturas en PDF desde Mi cuenta > Pedidos. Para una factura de "
            "empresa con tu número de IVA, añade el número en Mi cuenta > Datos de facturación "
            "antes de hacer el pedido.",
        ),
        "fr": (
            "Factures",
            "facture, reçu, tva, justificatif",
            "Une facture vous est envoyée par e-mail à l'expédition de votre commande. Vous "
            "pouvez télécharger toutes vos factures au format PDF depuis Mon compte > Commandes. "
            "Pour une facture d'entreprise avec votre numéro de TVA, ajoutez ce numéro dans Mon "
            "compte > Informations de facturation avant de commander.",
        ),
        "de": (
            "Rechnungen",
            "Rechnung, Quittung, Beleg, MwSt, USt-IdNr",
            "Sie erhalten die Rechnung per E-Mail, sobald Ihre Bestellung versandt wird. Alle "
            "Rechnungen können Sie als PDF unter Mein Konto > Bestellungen herunterladen. Für "
            "eine Firmenrechnung mit Ihrer USt-IdNr. tragen Sie die Nummer vor der Bestellung "
            "unter Mein Konto > Rechnungsdaten ein.",
        ),
    },
    "Creating an account": {
        "es": (
            "Crear una cuenta",
            "registrarse, registro, crear cuenta, cuenta nueva, darse de alta",
            "Selecciona 'Registrarse' en la parte superior de cualquier página e introduce tu "
            "dirección de correo electrónico y una contraseña. Te enviamos un enlace de "
            "confirmación válido durante 24 horas. También puedes comprar como invitado.",
        ),
        "fr": (
            "Créer un compte",
            "inscription, s'inscrire, créer un compte, nouveau compte",
            "Sélectionnez « S'inscrire » en haut de n'importe quelle page et saisissez votre "
            "adresse e-mail et un mot de passe. Nous vous envoyons un lien de confirmation "
            "valable 24 heures. Vous pouvez aussi commander en tant qu'invité.",
        ),
        "de": (
            "Konto erstellen",
            "registrieren, Registrierung, Konto erstellen, neues Konto, Kundenkonto",
            "Wählen Sie oben auf jeder Seite 'Registrieren' und geben Sie Ihre E-Mail-Adresse "
            "und ein Passwort ein. Wir senden Ihnen einen Bestätigungslink, der 24 Stunden "
            "gültig ist. Sie können auch als Gast bestellen.",
        ),
    },
    "Resetting your password": {
        "es": (
            "Restablecer tu contraseña",
            "contraseña, olvidé mi contraseña, restablecer, iniciar sesión, no puedo entrar",
            "Selecciona 'Iniciar sesión' y después 'Olvidé mi contraseña'. Introduce tu "
            "dirección de correo electrónico y te enviamos un enlace para restablecerla, válido "
            "durante una hora. Si no llega en unos minutos, revisa tu carpeta de spam.",
        ),
        "fr": (
            "Réinitialiser votre mot de passe",
            "mot de passe, mot de passe oublié, réinitialiser, connexion, je n'arrive pas à me "
            "connecter",
            "Sélectionnez « Se connecter », puis « Mot de passe oublié ». Saisissez votre "
            "adresse e-mail et nous vous envoyons un lien de réinitialisation valable une heure. "
            "Vérifiez votre dossier de spam s'il n'arrive pas dans les minutes qui suivent.",
        ),
        "de": (
            "Passwort zurücksetzen",
            "Passwort, Passwort vergessen, zurücksetzen, Login, kann mich nicht anmelden",
            "Wählen Sie 'Anmelden' und dann 'Passwort vergessen'. Geben Sie Ihre E-Mail-Adresse "
            "ein, und wir senden Ihnen einen Link zum Zurücksetzen, der eine Stunde gültig ist. "
            "Sehen Sie in Ihrem Spam-Ordner nach, falls er nicht innerhalb weniger Minuten "
            "ankommt.",
        ),
    },
    "Newsletter subscription": {
        "es": (
            "Suscripción al boletín",
            "boletín, newsletter, darse de baja, suscribirse, correos, publicidad",
            "Suscríbete en la parte inferior de cualquier página. Para dejar de recibir el "
            "boletín, usa el enlace 'Darse de baja' de cualquier boletín o desmarca 'Boletín' en "
            "Mi cuenta > Preferencias de comunicación.",
        ),
        "fr": (
            "Abonnement à la newsletter",
            "newsletter, se désabonner, désinscription, s'abonner, e-mails, publicité",
            "Abonnez-vous en bas de n'importe quelle page. Pour ne plus recevoir la newsletter, "
            "utilisez le lien « Se désabonner » présent dans chaque newsletter ou décochez « "
            "Newsletter » dans Mon compte > Préférences de communication.",
        ),
        "de": (
            "Newsletter-Abonnement",
            "Newsletter, abbestellen, abmelden, abonnieren, E-Mails, Werbung",
            "Sie können den Newsletter unten auf jeder Seite abonnieren. Um ihn abzubestellen, "
            "nutzen Sie den Link 'Abmelden' in einem beliebigen Newsletter oder entfernen Sie "
            "das Häkchen bei 'Newsletter' unter Mein Konto > Kommunikationseinstellungen.",
        ),
    },
    "Product reviews": {
        "es": (
            "Opiniones de productos",
            "opinión, reseña, valoración, escribir una opinión, comentarios",
            "Puedes valorar cualquier producto que hayas comprado: abre la página del producto y "
            "selecciona 'Escribir una opinión', o usa el enlace del correo que te enviamos una "
            "semana después de la entrega. Las opiniones se publican tras una breve revisión, "
            "normalmente en un plazo de 48 horas.",
        ),
        "fr": (
            "Avis sur les produits",
            "avis, note, évaluation, écrire un avis, commentaire",
            "Vous pouvez donner votre avis sur tout produit que vous avez acheté : ouvrez la "
            "page du produit et sélectionnez « Écrire un avis », ou utilisez le lien de l'e-mail "
            "que nous envoyons une semaine après la livraison. Les avis sont publiés après une "
            "courte vérification, généralement sous 48 heures.",
        ),
        "de": (
            "Produktbewertungen",
            "Bewertung, Rezension, Sterne, Bewertung schreiben, Feedback",
            "Sie können jedes Produkt bewerten, das Sie gekauft haben: Öffnen Sie die "
            "Produktseite und wählen Sie 'Bewertung schreiben', oder nutzen Sie den Link in der "
            "E-Mail, die wir eine Woche nach der Lieferung senden. Bewertungen erscheinen nach "
            "einer kurzen Prüfung, in der Regel innerhalb von 48 Stunden.",
        ),
    },
    "When the app crashes or will not open": {
        "es": (
            "Si la app se cierra o no se abre",
            "app, aplicación, se cierra, fallo, reinstalar, actualizar, no carga, web",
            "La mayoría de los problemas de la app se solucionan actualizando a la última "
            "versión desde la App Store o Google Play. Si la app sigue cerrándose, desinstálala, "
            "reinicia tu teléfono y vuelve a instalarla: tu cuenta, tus pedidos y tu lista de "
            "deseos se conservan. En la web, borrar la caché del navegador o probar con otro "
            "navegador suele ayudar.",
        ),
        "fr": (
            "Quand l'application plante ou ne s'ouvre pas",
            "application, appli, plante, plantage, réinstaller, mise à jour, ne charge pas, site "
            "web",
            "La plupart des problèmes de l'application se règlent en installant la dernière "
            "version depuis l'App Store ou Google Play. Si l'application plante encore, "
            "désinstallez-la, redémarrez votre téléphone et réinstallez-la : votre compte, vos "
            "commandes et votre liste d'envies sont conservés. Sur le site web, vider le cache "
            "du navigateur ou essayer un autre navigateur aide généralement.",
        ),
        "de": (
            "Wenn die App abstürzt oder sich nicht öffnet",
            "App, Absturz, stürzt ab, neu installieren, Update, lädt nicht, Website",
            "Die meisten Probleme mit der App lassen sich durch ein Update auf die neueste "
            "Version aus dem App Store oder von Google Play beheben. Wenn die App weiterhin "
            "abstürzt, deinstallieren Sie sie, starten Sie Ihr Telefon neu und installieren Sie "
            "sie erneut: Ihr Konto, Ihre Bestellungen und Ihre Wunschliste bleiben erhalten. Auf "
            "der Website hilft es meist, den Browser-Cache zu leeren oder einen anderen Browser "
            "zu verwenden.",
        ),
    },
    "Discount and promo codes": {
        "es": (
            "Códigos de descuento y promocionales",
            "descuento, código promocional, cupón, vale, rebajas, descuento para estudiantes",
            "Introduce el código promocional en la cesta, en el campo 'Código de descuento', "
            "antes de pagar. Solo se puede usar un código por pedido y los códigos no se aplican "
            "a las tarjetas regalo. Si se rechaza un código, comprueba su fecha de caducidad y "
            "el importe mínimo de pedido en el correo con el que lo recibiste.",
        ),
        "fr": (
            "Codes de réduction et codes promo",
            "réduction, code promo, bon de réduction, coupon, soldes, réduction étudiant",
            "Saisissez le code promo dans le panier, dans le champ « Code de réduction », avant "
            "de payer. Un seul code peut être utilisé par commande et les codes ne s'appliquent "
            "pas aux cartes cadeaux. Si un code est refusé, vérifiez sa date d'expiration et le "
            "montant minimum de commande dans l'e-mail qui vous l'a transmis.",
        ),
        "de": (
            "Rabatt- und Gutscheincodes",
            "Rabatt, Gutscheincode, Gutschein, Coupon, Sale, Studentenrabatt, Promo-Code",
            "Geben Sie den Gutscheincode vor dem Bezahlen im Warenkorb in das Feld 'Rabattcode' "
            "ein. Pro Bestellung kann nur ein Code verwendet werden, und Codes gelten nicht für "
            "Geschenkkarten. Wird ein Code abgelehnt, prüfen Sie das Ablaufdatum und den "
            "Mindestbestellwert in der E-Mail, mit der Sie ihn erhalten haben.",
        ),
    },
    "Gift cards": {
        "es": (
            "Tarjetas regalo",
            "tarjeta regalo, vale, saldo, canjear, cheque regalo",
            "Las tarjetas regalo se venden de 10 a 500 EUR y son válidas durante dos años. "
            "Canjéalas al finalizar la compra, en 'Tarjeta regalo', y consulta el saldo en Mi "
            "cuenta > Tarjetas regalo. Una tarjeta regalo se puede combinar con cualquier método "
            "de pago para el resto del pedido.",
        ),
        "fr": (
            "Cartes cadeaux",
            "carte cadeau, bon d'achat, solde, utiliser, échanger",
            "Les cartes cadeaux sont vendues de 10 à 500 EUR et sont valables deux ans. "
            "Utilisez-en une lors du paiement, sous « Carte cadeau », et consultez le solde dans "
            "Mon compte > Cartes cadeaux. Une carte cadeau peut être combinée avec n'importe "
            "quel moyen de paiement pour le reste de la commande.",
        ),
        "de": (
            "Geschenkkarten",
            "Geschenkkarte, Gutschein, Guthaben, einlösen, Geschenkgutschein",
            "Geschenkkarten gibt es im Wert von 10 bis 500 EUR, und sie sind zwei Jahre gültig. "
            "Lösen Sie eine an der Kasse unter 'Geschenkkarte' ein und prüfen Sie das Guthaben "
            "unter Mein Konto > Geschenkkarten. Eine Geschenkkarte lässt sich für den Restbetrag "
            "der Bestellung mit jeder Zahlungsart kombinieren.",
        ),
    },
    "Stock and restocks": {
        "es": (
            "Existencias y reposiciones",
            "stock, existencias, disponible, agotado, reposición, talla, preventa, reserva",
            "La página del producto muestra las existencias de cada talla y color. Cuando algo "
            "está agotado, selecciona 'Avísame' para recibir un correo en cuanto vuelva a estar "
            "disponible; la mayoría de los artículos se reponen en un plazo de dos a cuatro "
            "semanas. Las preventas se cobran en el momento del envío.",
        ),
        "fr": (
            "Stock et réassorts",
            "stock, en stock, rupture de stock, épuisé, réassort, taille, disponible, précommande",
            "La page du produit indique le stock pour chaque taille et chaque couleur. Lorsqu'un "
            "article est épuisé, sélectionnez « M'avertir » pour recevoir un e-mail dès qu'il "
            "est de nouveau disponible ; la plupart des articles sont réapprovisionnés en deux à "
            "quatre semaines. Les précommandes sont débitées à leur expédition.",
        ),
        "de": (
            "Lagerbestand und Nachschub",
            "Lagerbestand, auf Lager, ausverkauft, wieder verfügbar, Größe, verfügbar, "
            "Vorbestellung",
            "Auf der Produktseite sehen Sie den Bestand für jede Größe und Farbe. Wenn etwas "
            "ausverkauft ist, wählen Sie 'Benachrichtigen', um eine E-Mail zu erhalten, sobald "
            "es wieder verfügbar ist; die meisten Artikel sind innerhalb von zwei bis vier "
            "Wochen wieder auf Lager. Vorbestellungen werden beim Versand berechnet.",
        ),
    },
    "Warranty and faulty products": {
        "es": (
            "Garantía y productos defectuosos",
            "garantía, defectuoso, defecto, roto, no funciona, reparación",
            "Todos los productos tienen una garantía de dos años contra defectos de fabricación. "
            "Si un artículo deja de funcionar, inicia una reclamación de garantía en Mi cuenta > "
            "Pedidos > 'Informar de un problema' con una foto o una breve descripción; lo "
            "reparamos, lo sustituimos o te devolvemos el dinero, y el envío de la devolución es "
            "gratuito.",
        ),
        "fr": (
            "Garantie et produits défectueux",
            "garantie, défectueux, défaut, cassé, en panne, réparation",
            "Chaque produit bénéficie d'une garantie de deux ans contre les défauts de "
            "fabrication. Si un article ne fonctionne plus, faites une demande de garantie dans "
            "Mon compte > Commandes > « Signaler un problème » avec une photo ou une courte "
            "description ; nous le réparons, le remplaçons ou le remboursons, et les frais de "
            "retour sont offerts.",
        ),
        "de": (
            "Garantie und defekte Produkte",
            "Garantie, Gewährleistung, defekt, fehlerhaft, kaputt, Reparatur",
            "Auf jedes Produkt gibt es zwei Jahre Garantie auf Herstellungsfehler. Wenn ein "
            "Artikel nicht mehr funktioniert, melden Sie einen Garantiefall unter Mein Konto > "
            "Bestellungen > 'Problem melden' mit einem Foto oder einer kurzen Beschreibung; wir "
            "reparieren oder ersetzen den Artikel oder erstatten den Kaufpreis, und die "
            "Rücksendung ist kostenlos.",
        ),
    },
    "Changing the items in an order": {
        "es": (
            "Cambiar los artículos de un pedido",
            "cambiar pedido, añadir artículo, quitar artículo, talla, color, cantidad",
            "Mientras un pedido esté 'En proceso', puedes cambiar tallas, colores y cantidades, "
            "o quitar artículos, en Mi cuenta > Pedidos > 'Modificar pedido'. Para añadir un "
            "artículo, haz un segundo pedido: los pedidos realizados el mismo día a la misma "
            "dirección se envían juntos.",
        ),
        "fr": (
            "Modifier les articles d'une commande",
            "modifier commande, ajouter un article, retirer un article, taille, couleur, quantité",
            "Tant qu'une commande est « En cours de traitement », vous pouvez modifier les "
            "tailles, les couleurs et les quantités, ou retirer des articles, dans Mon compte > "
            "Commandes > « Modifier la commande ». Pour ajouter un article, passez une deuxième "
            "commande : les commandes passées le même jour à la même adresse sont expédiées "
            "ensemble.",
        ),
        "de": (
            "Artikel in einer Bestellung ändern",
            "Bestellung ändern, Artikel hinzufügen, Artikel entfernen, Größe, Farbe, Menge",
            "Solange eine Bestellung 'In Bearbeitung' ist, können Sie unter Mein Konto > "
            "Bestellungen > 'Bestellung bearbeiten' Größen, Farben und Mengen ändern oder "
            "Artikel entfernen. Um einen Artikel hinzuzufügen, geben Sie eine zweite Bestellung "
            "auf: Bestellungen, die am selben Tag an dieselbe Adresse aufgegeben werden, werden "
            "zusammen versandt.",
        ),
    },
    "Contacting us": {
        "es": (
            "Contacto",
            "contacto, teléfono, correo electrónico, email, horario de atención, dirección",
            "Puedes chatear con nosotros aquí en cualquier momento. Nuestro equipo está "
            "disponible de lunes a viernes de 8:00 a 20:00 y los sábados de 9:00 a 17:00 (CET), "
            "por teléfono en el +49 30 1234 5678 o por correo electrónico en help@shop.example. "
            "Nuestra dirección es Shop GmbH, Musterstrasse 1, 10115 Berlin, Germany.",
        ),
        "fr": (
            "Nous contacter",
            "contact, téléphone, e-mail, horaires d'ouverture, adresse, service client",
            "Vous pouvez discuter avec nous ici à tout moment. Notre équipe est disponible du "
            "lundi au vendredi de 8 h à 20 h et le samedi de 9 h à 17 h (CET), par téléphone au "
            "+49 30 1234 5678 ou par e-mail à help@shop.example. Notre adresse : Shop GmbH, "
            "Musterstrasse 1, 10115 Berlin, Germany.",
        ),
        "de": (
            "Kontakt",
            "Kontakt, Telefon, E-Mail, Öffnungszeiten, Adresse, Kundenservice",
            "Sie können hier jederzeit mit uns chatten. Unser Team ist montags bis freitags von "
            "8:00 bis 20:00 Uhr und samstags von 9:00 bis 17:00 Uhr (MEZ) erreichbar, "
            "telefonisch unter +49 30 1234 5678 oder per E-Mail an help@shop.example. Unsere "
            "Adresse lautet Shop GmbH, Musterstrasse 1, 10115 Berlin, Germany.",
        ),
    },
}
