"""Word lists for email filtering and classification: role mailboxes, free-mail providers, placeholders,
label words, prose words and common given names / surnames (EN, DE, FR, ES, IT, NL, PT).

Lower-case, accents kept where people write them; callers fold before looking up.
"""

from __future__ import annotations

__all__ = [
    "ASSET_EXTENSIONS", "FIRST_NAMES", "FREE_MAIL_DOMAINS", "FREE_MAIL_LABELS", "LABEL_WORDS",
    "PLACEHOLDER_DOMAIN_LABELS", "PLACEHOLDER_LOCALS", "PLACEHOLDER_SELF_LOCALS", "PROSE_LOCALS", "ROLE_LOCALS",
    "SURNAMES", "VENDOR_DOMAINS",
]

ROLE_LOCALS = frozenset(
    """
    info infos information informations office hello hi hey contact contacts contactus contact-us support
    admin administrator administration billing bookings booking book reception enquiries enquiry inquiries
    inquiry help helpdesk service services customerservice customer-service customercare sales team mail
    email e-mail post noreply no-reply donotreply do-not-reply webmaster hostmaster postmaster marketing press
    media pr news newsletter jobs job careers career hr recruiting recruitment karriere bewerbung accounts
    accounting finance invoices invoice orders order shop store reservations reservation reserve events event
    membership members feedback privacy legal compliance security abuse dpo gdpr datenschutz impressum
    clinic practice appointments appointment frontdesk front-desk general management hq headoffice
    kontakt anfrage anfragen buero bureau verkauf vertrieb rechnung rechnungen empfang termin termine praxis
    kanzlei bestellung bestellungen auftrag service-center kundenservice kundendienst zentrale verwaltung
    bonjour accueil commercial direction secretariat secretariado reservation reservations commande commandes
    devis facturation comptabilite
    hola contacto ventas reservas informacion administracion recepcion pedidos citas consultas atencion
    atencionalcliente clientes presupuestos
    ciao informazioni vendite prenotazioni prenotazione ufficio amministrazione segreteria commerciale ordini
    assistenza preventivi
    verkoop klantenservice receptie administratie boekingen bestellingen afspraken offerte
    contato atendimento vendas financeiro comercial agendamento orcamento suporte
    concierge guestservices guest events catering care wholesale planning functions rezept rezepte dsb
    office-manager backoffice frontoffice admissions registrar dispatch scheduling estimates quotes quote
    parts warranty claims repairs lohn lohnbuchhaltung buchhaltung gestion compta comptabilité agence
    hej kundtjanst bokning bestallning ekonomi faktura kontor biuro sekretariat kancelaria sklep zamowienia
    kontakt-pl obsluga
    hallo welcome enquire support-team helpline customers client clients partners partner
    """.split()
)
# Free-mail providers by registrable-domain label (any suffix) and by full registrable domain.
FREE_MAIL_LABELS = frozenset(
    "gmail googlemail yahoo ymail rocketmail hotmail outlook live msn aol icloud gmx yandex protonmail "
    "libero tutanota hushmail zohomail".split()
)
FREE_MAIL_DOMAINS = frozenset(
    """
    bellsouth.net att.net comcast.net verizon.net sbcglobal.net cox.net charter.net earthlink.net juno.com
    me.com mac.com web.de mail.ru inbox.ru list.ru bk.ru ya.ru proton.me pm.me protonmail.ch tuta.io tuta.com
    mail.com zoho.com mailbox.org posteo.de t-online.de freenet.de arcor.de online.de vodafone.de
    orange.fr wanadoo.fr free.fr laposte.net sfr.fr neuf.fr bbox.fr
    virgilio.it alice.it tiscali.it tin.it fastwebnet.it
    btinternet.com sky.com virginmedia.com talktalk.net ntlworld.com blueyonder.co.uk
    bigpond.com bigpond.net.au optusnet.com.au iinet.net.au
    shaw.ca rogers.com sympatico.ca videotron.ca telus.net
    uol.com.br bol.com.br terra.com.br ig.com.br
    ziggo.nl kpnmail.nl hetnet.nl planet.nl home.nl telenet.be skynet.be
    terra.es telefonica.net
    qq.com 163.com 126.com naver.com daum.net seznam.cz wp.pl o2.pl interia.pl fastmail.com fastmail.fm
    """.split()
)
PLACEHOLDER_DOMAIN_LABELS = frozenset(
    """
    example domain yourdomain your-domain yoursite your-site yourcompany your-company yourwebsite yourbusiness
    yourname mydomain mysite mycompany company website sample beispiel musterfirma mustermann exemple ejemplo
    esempio voorbeeld exemplo domaine dominio tudominio tuempresa tusitio seudominio suaempresa seusite
    votredomaine votresite votreentreprise ihredomain ihrefirma ihre-domain deinedomain email address
    emailaddress mailaddress
    """.split()
)
PLACEHOLDER_LOCALS = frozenset(
    """
    you your yourname your.name your-name your_name youremail your.email your-email your_email yourmail
    john.doe jane.doe johndoe janedoe john_doe jane_doe j.doe max.mustermann maxmustermann erika.mustermann
    m.mustermann mustermann max firstname.lastname first.last firstname lastname first_last vorname.nachname
    vorname nachname prenom.nom nom.prenom prenom nombre.apellido nome.cognome voornaam.achternaam
    nome.sobrenome seuemail seu.email seunome tuemail tu.email tucorreo tu.correo tunombre votre.email
    votreemail votre.adresse votrenom ihre.email ihreemail ihre-email ihrname deine.email someone somebody
    username user.name noone nobody changeme xxx xxxx xyz abc
    """.split()
)
PLACEHOLDER_SELF_LOCALS = frozenset("name email e-mail mail user test example sample demo".split())
VENDOR_DOMAINS = frozenset(
    "qodeinteractive.com mikado-themes.com select-themes.com elated-themes.com edge-themes.com "
    "themeforest.net".split()
)
ASSET_EXTENSIONS = frozenset(
    "png jpg jpeg gif svg webp avif ico bmp tif tiff heic css scss less js mjs cjs ts jsx tsx map json woff "
    "woff2 ttf eot otf mp4 webm mov m4v mp3 wav ogg pdf php html htm xml txt".split()
)
# Words that label an address when a label element sits flush against the address element.
LABEL_WORDS = frozenset(
    "email e-mail mail mailto emailadres e-mailadres courriel mel mél correo correo-e e-post epost posta "
    "contact kontakt contacto contatto adresse address write".split()
)
FIRST_NAMES = frozenset(
    """
    james john robert michael william david richard joseph thomas charles christopher daniel matthew anthony mark
    paul steven andrew kenneth joshua kevin brian george edward ronald timothy jason jeffrey ryan jacob gary
    nicholas eric jonathan stephen larry justin scott brandon benjamin samuel frank gregory raymond patrick
    jack dennis jerry tyler aaron adam henry peter oliver harry noah liam ethan lucas mason logan alex
    mary patricia jennifer linda elizabeth barbara susan jessica sarah karen nancy lisa betty margaret sandra
    ashley kimberly emily donna michelle dorothy carol amanda melissa deborah stephanie rebecca laura sharon
    cynthia kathleen amy shirley angela helen anna brenda pamela nicole emma samantha katherine christine
    rachel olivia sophie charlotte grace chloe lucy ella mia amelia isabella ava jane kate claire julia
    hans peter klaus jürgen juergen stefan andreas michael thomas wolfgang uwe frank markus christian sebastian
    tobias florian maximilian lukas felix jonas leon finn paul jan tim nils sven dirk jens torsten matthias
    ursula monika petra sabine susanne claudia andrea birgit katrin nicole stefanie julia lena laura lea
    hannah leonie johanna katharina anja silke heike karin renate ingrid gabriele christina
    jean pierre michel philippe alain nicolas christophe patrick laurent sebastien julien olivier francois
    françois antoine hugo louis gabriel arthur raphael marie nathalie isabelle sylvie catherine christine
    sandrine valerie celine camille manon chloe ines juliette elodie aurelie
    jose josé antonio manuel francisco juan javier carlos miguel rafael pedro pablo sergio jorge alberto
    fernando luis alejandro diego maria carmen josefa isabel dolores pilar teresa rosa lucia paula elena
    marta cristina raquel sara beatriz silvia alba
    giuseppe giovanni marco luca andrea francesco alessandro matteo lorenzo davide stefano roberto paolo
    giulia chiara francesca federica valentina alessia sofia elisa silvia martina simona
    johannes willem jeroen pieter hendrik bart sander thijs daan bram ruben joost maarten anouk sanne femke
    lotte eva fleur iris lieke marieke joao joão pedro tiago rodrigo gustavo bruno felipe rafael thiago
    lucas mateus ana beatriz fernanda juliana camila larissa leticia patricia adriana mariana gabriela
    sean conor aoife niamh siobhan ciaran liam declan orla
    taro hanako kenji yuki hiroshi takashi akira yuko keiko naoko haruto yui sakura
    wei li ming priya rahul anil sunita raj
    """.split()
)
SURNAMES = frozenset(
    """
    smith johnson williams brown jones garcia miller davis rodriguez martinez hernandez lopez gonzalez wilson
    anderson thomas taylor moore jackson martin lee perez thompson white harris sanchez clark ramirez lewis
    robinson walker young allen king wright scott torres nguyen hill flores green adams nelson baker hall
    rivera campbell mitchell carter roberts evans turner parker collins edwards stewart morris murphy cook
    rogers morgan cooper peterson bailey reed kelly howard cox ward richardson wood watson brooks bennett gray
    hughes price sanders patel myers long ross foster jenkins perry powell russell sullivan bell coleman
    butler henderson barnes fisher chapman knight walsh byrne ryan murray kennedy doyle
    mueller müller schmidt schneider fischer weber meyer wagner becker schulz hoffmann schaefer koch bauer
    richter klein wolf schroeder neumann schwarz zimmermann braun krueger hofmann hartmann lange schmitt
    werner krause meier lehmann schmid schulze maier koehler herrmann koenig walter mayer huber kaiser fuchs
    peters lang scholz moeller weiss jung hahn vogel keller
    bernard dubois thomas robert richard petit durand leroy moreau simon laurent lefebvre michel david
    bertrand roux vincent fournier morel girard andre lefevre mercier dupont lambert bonnet francois
    martinez rodriguez fernandez gonzalez lopez sanchez perez gomez martin jimenez ruiz hernandez diaz moreno
    munoz alvarez romero alonso gutierrez navarro torres dominguez vazquez ramos gil ramirez serrano blanco
    rossi russo ferrari esposito bianchi romano colombo ricci marino greco bruno gallo conti deluca mancini
    costa giordano rizzo lombardi moretti barbieri fontana santoro mariani rinaldi caruso ferrara galli
    dejong jansen devries vandenberg vandijk bakker janssen visser smit meijer deboer mulder degroot bos vos
    peters hendriks vanleeuwen dekker brouwer dewit dijkstra
    silva santos oliveira souza sousa rodrigues ferreira alves pereira lima gomes ribeiro carvalho almeida
    lopes soares fernandes vieira barbosa rocha dias nascimento andrade moreira nunes marques machado mendes
    freitas cardoso ramos goncalves araujo costa
    peeters janssens maes claes wouters goossens
    tremblay gagnon roy cote bouchard gauthier morin lavoie fortin gruber huber bauer wagner pichler steiner
    moser mayer hofer leitner brunner keller meier frei baumann fischer schmid
    murphy kelly obrien byrne ryan oconnor doyle mccarthy
    sato suzuki takahashi tanaka watanabe ito yamamoto nakamura kobayashi kato yamada sasaki yoshida
    """.split()
)

# Words before " at " in prose ("find us at", "look at"): never the intended mailbox.
PROSE_LOCALS = frozenset(
    "us me you them him her it we they visit find meet located available open here there see look both all "
    "shop stay eat dine call reach arrive arrives arriving is are was be starts start begins begin ends end "
    "live lives work works based online only prices price from and or the a an jobs job now today tonight "
    "daily hours hotel rooms tickets book booking order orders available".split()
)
