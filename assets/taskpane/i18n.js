// The add-in's words (the task pane's and the send-time check's), in English and French,
// chosen from Office's display language
// (Office.context.displayLanguage, e.g. "fr-FR"); anything else falls back to English.
// t(key, ...args) fills {0}, {1}... in order.

const STRINGS = {
  en: {
    title: 'Textguard',
    loading: 'Loading the protection engine…',
    coreFailed: 'The protection engine could not load ({0}). Reload the add-in; if it persists, tell your administrator.',
    signedInAs: 'Signed in as {0}',
    signingIn: 'Signing in…',
    signIn: 'Sign in',
    signInFailed: 'Sign-in failed: {0}',
    tabProtect: 'Protect',
    tabOpen: 'Open',
    tabManage: 'Manage',
    recipientsLabel: 'Who can read it',
    recipientsHelp: 'Type email addresses or user names, then press Enter or comma.',
    recipientsPlaceholder: 'name@example.com',
    removeRecipient: 'Remove {0}',
    wholeOrg: 'Everyone in my organisation (members, not guests)',
    expiryLabel: 'Access ends on (optional)',
    encryptSelection: 'Encrypt selected paragraphs',
    encryptDocument: 'Encrypt the whole document',
    decryptAll: 'Decrypt what I can read',
    refresh: 'Refresh',
    nothingSelected: 'Select one or more paragraphs first.',
    nothingToDecrypt: 'This document holds no encrypted text.',
    invalidRecipient: '"{0}" is not an email address or user name.',
    encrypting: 'Encrypting {0} of {1}…',
    decrypting: 'Decrypting {0} of {1}…',
    encrypted: { one: 'Encrypted {0} paragraph. Only the people you named can read it.', other: 'Encrypted {0} paragraphs. Only the people you named can read them.' },
    encryptedDocument: 'Encrypted the document. Only the people you named can read it.',
    decrypted: { count: 1, one: 'Decrypted {0} of {1} encrypted part.', other: 'Decrypted {0} of {1} encrypted parts.' },
    ccTitle: 'Encrypted by {0}',
    rangeFailed: 'Part {0}: {1}',
    err_not_found: 'you do not have access (ask its owner to add you)',
    err_revoked: 'its owner revoked access',
    err_expired: 'access to it has expired',
    err_integrity: 'the server could not verify its key; tell your administrator',
    err_invalid_key_id: 'it is damaged or comes from another server',
    err_authentication: 'it was tampered with or damaged, so it cannot be opened',
    err_mismatch: 'it was moved from another document or place, so it is not opened here',
    err_malformed: 'it is damaged',
    err_unsupported: 'it was made by a newer version of Textguard; update the add-in',
    err_network: 'the server could not be reached; check your connection and try again',
    manageEmpty: 'No encrypted text in this document.',
    manageIntro: 'Encrypted text in this document, by key:',
    parts: { one: '{0} part', other: '{0} parts' },
    labelDocument: 'Whole document',
    labelParagraphs: { one: '{0} paragraph', other: '{0} paragraphs' },
    labelMessage: 'Outlook message',
    owner: 'Owner: {0}',
    notOwner: 'Shared with you; only its owner can change who can read it.',
    expires: 'Access ends {0}',
    noExpiry: 'No end date',
    revokedOn: 'Revoked on {0}',
    add: 'Add',
    saveExpiry: 'Set end date',
    clearExpiry: 'Remove end date',
    revoke: 'Revoke access',
    revokeConfirm: 'Revoke access for everyone? This cannot be undone.',
    updated: 'Saved. The change applies the next time someone opens the text.',
    revokedDone: 'Access revoked: nobody can decrypt this text any more.',
    working: 'Working…',
    everyone: 'everyone in the organisation',
    notInHost: 'Open this pane from Word or from an Outlook message you are writing.',
    checkMessage: 'Check this message',
    protectMessage: 'Protect message',
    protectHelp: 'Encrypts the body for the message\u2019s recipients: only they can read it.',
    checking: 'Checking…',
    clean: 'Nothing sensitive found.',
    foundCount: { one: '{0} sensitive item found.', other: '{0} sensitive items found.' },
    blockedNote: 'Remove these before sending, or protect the message.',
    inSubject: 'in the subject',
    inBody: 'body, line {0}',
    noRecipients: 'Add the recipients first: the message is encrypted for them.',
    protectedDone: 'Protected for {0}. Send it as usual.',
    protectedNotice: 'This message is protected by Textguard. Open it with the Textguard add-in to read it.',
    readMessage: 'Open the protected message',
    messageFrame: 'The protected message',
    opening: 'Opening the protected message…',
    opened: 'Opened for you: the key server released its key to you, one of its recipients.',
    protectedBy: 'Protected by {0} (the owner of its key, as the key server knows them).',
    notProtected: 'This message is not protected by Textguard: there is nothing to open.',
    cannotOpen: 'This message cannot be opened: {0}.',
    readInBrowser: 'No Textguard add-in? Read it in your browser.',
    readerTitle: 'Read protected text',
    readerIntro: 'Someone sent you text protected by Textguard. It is decrypted here, in your browser: the key server never sees it.',
    pasteLabel: 'Paste the protected message',
    fileLabel: 'Or choose the file you received (.eml, .txt or .html)',
    openPasted: 'Find the protected text',
    noEnvelope: 'There is no protected text in it. Paste the whole message, or choose the file you received.',
    envelopeFound: 'This text is protected. Prove your email address to read it.',
    addressLabel: 'Your email address',
    sendCode: 'Email me a passcode',
    requestingCode: 'Asking for a passcode…',
    codeSent: { count: 2, one: 'If {0} may read this text, a passcode is on its way (reference {1}). It works once, for {2} minute.', other: 'If {0} may read this text, a passcode is on its way (reference {1}). It works once, for {2} minutes.' },
    codeLabel: 'Passcode from the email',
    openWithCode: 'Read',
    checkingCode: 'Checking the passcode…',
    readerOpened: 'Decrypted in your browser. Close the page when you are done: nothing is kept.',
    invalidAddress: '"{0}" is not an email address.',
    // The send-time check (assets/event/launchevent.js), in Outlook's own notice.
    sendFound: 'Textguard found sensitive text in this message: {0}.',
    sendBlock: 'Remove it before sending, or protect the message from the Textguard pane.',
    sendWarn: 'Send anyway only if every recipient may see it.',
    sendFailed: 'Textguard could not check this message ({0}). Send it only if it holds nothing sensitive.',
    sendReview: 'Review',
    sendMore: '{0} more',
  },
  fr: {
    title: 'Textguard',
    loading: 'Chargement du moteur de protection…',
    coreFailed: 'Le moteur de protection n’a pas pu se charger ({0}). Rechargez le complément ; si cela persiste, prévenez votre administrateur.',
    signedInAs: 'Connecté en tant que {0}',
    signingIn: 'Connexion…',
    signIn: 'Se connecter',
    signInFailed: 'La connexion a échoué : {0}',
    tabProtect: 'Protéger',
    tabOpen: 'Ouvrir',
    tabManage: 'Gérer',
    recipientsLabel: 'Qui peut le lire',
    recipientsHelp: 'Saisissez des adresses e-mail ou noms d’utilisateur, puis Entrée ou virgule.',
    recipientsPlaceholder: 'nom@exemple.fr',
    removeRecipient: 'Retirer {0}',
    wholeOrg: 'Toute mon organisation (membres, sans les invités)',
    expiryLabel: 'Accès jusqu’au (facultatif)',
    encryptSelection: 'Chiffrer les paragraphes sélectionnés',
    encryptDocument: 'Chiffrer tout le document',
    decryptAll: 'Déchiffrer ce que je peux lire',
    refresh: 'Actualiser',
    nothingSelected: 'Sélectionnez d’abord un ou plusieurs paragraphes.',
    nothingToDecrypt: 'Ce document ne contient aucun texte chiffré.',
    invalidRecipient: '« {0} » n’est ni une adresse e-mail ni un nom d’utilisateur.',
    encrypting: 'Chiffrement {0} sur {1}…',
    decrypting: 'Déchiffrement {0} sur {1}…',
    encrypted: { one: '{0} paragraphe chiffré. Seules les personnes indiquées peuvent le lire.', other: '{0} paragraphes chiffrés. Seules les personnes indiquées peuvent les lire.' },
    encryptedDocument: 'Document chiffré. Seules les personnes indiquées peuvent le lire.',
    decrypted: { count: 1, one: 'Parties chiffrées déchiffrées : {0} sur {1}.', other: 'Parties chiffrées déchiffrées : {0} sur {1}.' },
    ccTitle: 'Chiffré par {0}',
    rangeFailed: 'Partie {0} : {1}',
    err_not_found: 'vous n’y avez pas accès (demandez à son propriétaire de vous ajouter)',
    err_revoked: 'son propriétaire a révoqué l’accès',
    err_expired: 'l’accès a expiré',
    err_integrity: 'le serveur n’a pas pu vérifier sa clé ; prévenez votre administrateur',
    err_invalid_key_id: 'elle est endommagée ou vient d’un autre serveur',
    err_authentication: 'elle a été modifiée ou endommagée et ne peut pas être ouverte',
    err_mismatch: 'elle a été déplacée depuis un autre document ou endroit et n’est pas ouverte ici',
    err_malformed: 'elle est endommagée',
    err_unsupported: 'elle vient d’une version plus récente de Textguard ; mettez le complément à jour',
    err_network: 'le serveur est injoignable ; vérifiez la connexion et réessayez',
    manageEmpty: 'Aucun texte chiffré dans ce document.',
    manageIntro: 'Texte chiffré dans ce document, par clé :',
    parts: { one: '{0} partie', other: '{0} parties' },
    labelDocument: 'Document entier',
    labelParagraphs: { one: '{0} paragraphe', other: '{0} paragraphes' },
    labelMessage: 'Message Outlook',
    owner: 'Propriétaire : {0}',
    notOwner: 'Partagé avec vous ; seul son propriétaire peut changer qui peut le lire.',
    expires: 'Accès jusqu’au {0}',
    noExpiry: 'Sans date de fin',
    revokedOn: 'Révoqué le {0}',
    add: 'Ajouter',
    saveExpiry: 'Fixer la date de fin',
    clearExpiry: 'Retirer la date de fin',
    revoke: 'Révoquer l’accès',
    revokeConfirm: 'Révoquer l’accès pour tout le monde ? C’est définitif.',
    updated: 'Enregistré. Le changement s’applique à la prochaine ouverture du texte.',
    revokedDone: 'Accès révoqué : plus personne ne peut déchiffrer ce texte.',
    working: 'En cours…',
    everyone: 'toute l’organisation',
    notInHost: 'Ouvrez ce volet depuis Word ou depuis un message Outlook en cours de rédaction.',
    checkMessage: 'Vérifier ce message',
    protectMessage: 'Protéger le message',
    protectHelp: 'Chiffre le corps pour les destinataires du message : eux seuls pourront le lire.',
    checking: 'Vérification…',
    clean: 'Rien de sensible trouvé.',
    foundCount: { one: '{0} élément sensible trouvé.', other: '{0} éléments sensibles trouvés.' },
    blockedNote: 'Retirez-les avant d’envoyer, ou protégez le message.',
    inSubject: 'dans l’objet',
    inBody: 'corps, ligne {0}',
    noRecipients: 'Ajoutez d’abord les destinataires : le message est chiffré pour eux.',
    protectedDone: 'Protégé pour {0}. Envoyez-le comme d’habitude.',
    protectedNotice: 'Ce message est protégé par Textguard. Ouvrez-le avec le complément Textguard pour le lire.',
    readMessage: 'Ouvrir le message protégé',
    messageFrame: 'Le message protégé',
    opening: 'Ouverture du message protégé…',
    opened: 'Ouvert pour vous : le serveur de clés vous a remis sa clé, car vous êtes l’un de ses destinataires.',
    protectedBy: 'Protégé par {0} (le propriétaire de sa clé, tel que le serveur de clés le connaît).',
    notProtected: 'Ce message n’est pas protégé par Textguard : il n’y a rien à ouvrir.',
    cannotOpen: 'Ce message ne peut pas être ouvert : {0}.',
    readInBrowser: 'Pas de complément Textguard ? Lisez-le dans votre navigateur.',
    readerTitle: 'Lire un texte protégé',
    readerIntro: 'On vous a envoyé un texte protégé par Textguard. Il est déchiffré ici, dans votre navigateur : le serveur de clés ne le voit jamais.',
    pasteLabel: 'Collez le message protégé',
    fileLabel: 'Ou choisissez le fichier reçu (.eml, .txt ou .html)',
    openPasted: 'Trouver le texte protégé',
    noEnvelope: 'Il n’y a pas de texte protégé ici. Collez le message entier, ou choisissez le fichier reçu.',
    envelopeFound: 'Ce texte est protégé. Prouvez votre adresse e-mail pour le lire.',
    addressLabel: 'Votre adresse e-mail',
    sendCode: 'M’envoyer un code par e-mail',
    requestingCode: 'Demande du code…',
    codeSent: { count: 2, one: 'Si {0} peut lire ce texte, un code est en route (référence {1}). Il sert une fois, pendant {2} minute.', other: 'Si {0} peut lire ce texte, un code est en route (référence {1}). Il sert une fois, pendant {2} minutes.' },
    codeLabel: 'Code reçu par e-mail',
    openWithCode: 'Lire',
    checkingCode: 'Vérification du code…',
    readerOpened: 'Déchiffré dans votre navigateur. Fermez la page quand vous avez fini : rien n’est conservé.',
    invalidAddress: '« {0} » n’est pas une adresse e-mail.',
    sendFound: 'Textguard a trouvé du texte sensible dans ce message : {0}.',
    sendBlock: 'Retirez-le avant d’envoyer, ou protégez le message depuis le volet Textguard.',
    sendWarn: 'N’envoyez quand même que si tous les destinataires peuvent le voir.',
    sendFailed: 'Textguard n’a pas pu vérifier ce message ({0}). Ne l’envoyez que s’il ne contient rien de sensible.',
    sendReview: 'Vérifier',
    sendMore: '{0} de plus',
  },
};

let strings = STRINGS.en;
let language = 'en';

/** Chooses the language from an Office display language such as "fr-FR" or "en-US". */
export function setLanguage(displayLanguage) {
  const code = String(displayLanguage || 'en').slice(0, 2).toLowerCase();
  language = STRINGS[code] ? code : 'en';
  strings = STRINGS[language];
  // The send-time check's runtime has no document.
  if (typeof document !== 'undefined') document.documentElement.lang = language;
}

/** The current language code ("en" or "fr"). */
export const currentLanguage = () => language;

/** Whether there are words for `key`. */
export const has = (key) => key in STRINGS.en;

/**
 * The string `key` with {0}, {1}... replaced by `args`. A string that depends on a number is
 * `{ one, other, count? }`: the form is chosen by the language's plural rules for
 * `args[count]` (`args[0]` by default), so French says "1 partie" and "0 partie" where
 * English says "0 parts".
 */
export function t(key, ...args) {
  let template = strings[key] ?? STRINGS.en[key] ?? key;
  if (typeof template === 'object') {
    const form = new Intl.PluralRules(language).select(Number(args[template.count ?? 0]));
    template = template[form] ?? template.other;
  }
  return template.replace(/\{(\d+)\}/g, (_, i) => String(args[Number(i)] ?? ''));
}

/** A date (Unix ms or ISO string) in the current language. */
export const formatDate = (value) =>
  new Date(value).toLocaleDateString(language === 'fr' ? 'fr-FR' : 'en-GB', { year: 'numeric', month: 'long', day: 'numeric' });

/** Fills every element with a data-i18n attribute (its text), data-i18n-placeholder or data-i18n-title. */
export function translatePage(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of root.querySelectorAll('[data-i18n-title]')) el.title = t(el.dataset.i18nTitle);
}
