"""Technology stacks for generated corpus pages: the markup, headers and cookies each stack puts on a page and
the technologies a reader of that markup would name (the tech gold). Hand-written for this corpus."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Stack:
    key: str
    tech: tuple[str, ...]
    head: str = ""
    body_class: str = ""
    body_start: str = ""
    body_end: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)
    wrapper: str = "div"  # element that wraps the page content


_WP_HEAD = """<link rel="stylesheet" id="wp-block-library-css" href="/wp-includes/css/dist/block-library/style.min.css?ver=6.4.3" media="all">
<script src="/wp-includes/js/jquery/jquery.min.js?ver=3.7.1" id="jquery-core-js"></script>
<script src="/wp-includes/js/jquery/jquery-migrate.min.js?ver=3.4.1" id="jquery-migrate-js"></script>
<link rel="https://api.w.org/" href="/wp-json/">
<meta name="generator" content="WordPress 6.4.3">"""

_GTAG = """<script async src="https://www.googletagmanager.com/gtag/js?id=G-{gid}"></script>
<script>window.dataLayer = window.dataLayer || []; function gtag(){dataLayer.push(arguments);}
gtag('js', new Date()); gtag('config', 'G-{gid}');</script>"""

_GTM_HEAD = """<script>(function(w,d,s,l,i){w[l]=w[l]||[];w[l].push({'gtm.start':new Date().getTime(),event:'gtm.js'});
var f=d.getElementsByTagName(s)[0],j=d.createElement(s),dl=l!='dataLayer'?'&l='+l:'';j.async=true;
j.src='https://www.googletagmanager.com/gtm.js?id='+i+dl;f.parentNode.insertBefore(j,f);
})(window,document,'script','dataLayer','GTM-{gtm}');</script>"""
_GTM_BODY = """<noscript><iframe src="https://www.googletagmanager.com/ns.html?id=GTM-{gtm}" height="0" width="0"
style="display:none;visibility:hidden"></iframe></noscript>"""

_FB_PIXEL = """<script>!function(f,b,e,v,n,t,s){if(f.fbq)return;n=f.fbq=function(){n.callMethod?
n.callMethod.apply(n,arguments):n.queue.push(arguments)};if(!f._fbq)f._fbq=n;n.push=n;n.loaded=!0;n.version='2.0';
n.queue=[];t=b.createElement(e);t.async=!0;t.src=v;s=b.getElementsByTagName(e)[0];
s.parentNode.insertBefore(t,s)}(window, document,'script','https://connect.facebook.net/en_US/fbevents.js');
fbq('init', '{pixel}'); fbq('track', 'PageView');</script>
<noscript><img height="1" width="1" style="display:none" src="https://www.facebook.com/tr?id={pixel}&amp;ev=PageView&amp;noscript=1"></noscript>"""

_HOTJAR = """<script>(function(h,o,t,j,a,r){h.hj=h.hj||function(){(h.hj.q=h.hj.q||[]).push(arguments)};
h._hjSettings={hjid:{hj},hjsv:6};a=o.getElementsByTagName('head')[0];r=o.createElement('script');r.async=1;
r.src=t+h._hjSettings.hjid+j+h._hjSettings.hjsv;a.appendChild(r);})(window,document,'https://static.hotjar.com/c/hotjar-','.js?sv=');</script>"""

_MATOMO = """<script>var _paq = window._paq = window._paq || []; _paq.push(['trackPageView']); _paq.push(['enableLinkTracking']);
(function() { var u="https://stats.{domain}/"; _paq.push(['setTrackerUrl', u+'matomo.php']); _paq.push(['setSiteId', '{site}']);
var d=document, g=d.createElement('script'), s=d.getElementsByTagName('script')[0]; g.async=true; g.src=u+'matomo.js';
s.parentNode.insertBefore(g,s); })();</script>"""

_TAWK = """<script>var Tawk_API=Tawk_API||{}, Tawk_LoadStart=new Date();(function(){var s1=document.createElement("script"),
s0=document.getElementsByTagName("script")[0];s1.async=true;s1.src='https://embed.tawk.to/{tawk}/default';
s1.charset='UTF-8';s1.setAttribute('crossorigin','*');s0.parentNode.insertBefore(s1,s0);})();</script>"""

_SENTRY = """<script>Sentry.init({ dsn: "https://{key}@o{org}.ingest.sentry.io/{proj}", tracesSampleRate: 0.1,
  release: "site@{rel}" });</script>"""

STACKS: tuple[Stack, ...] = (
    Stack(
        "wp-elementor",
        ("WordPress", "Elementor", "jQuery", "jQuery Migrate", "Yoast SEO", "Contact Form 7", "Google Tag",
         "Google Analytics 4", "Google Fonts", "Nginx", "PHP"),
        head=_WP_HEAD + """
<!-- This site is optimized with the Yoast SEO plugin v21.9.1 - https://yoast.com/wordpress/plugins/seo/ -->
<link rel="stylesheet" href="/wp-content/plugins/elementor/assets/css/frontend.min.css?ver=3.18.3">
<link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Roboto:400,700&amp;display=swap">
<link rel="stylesheet" href="/wp-content/plugins/contact-form-7/includes/css/styles.css?ver=5.8.5">
""" + _GTAG,
        body_class="home page-template elementor-default elementor-kit-7",
        body_start='<div data-elementor-type="wp-page" class="elementor elementor-12"><div class="elementor-section elementor-top-section">',
        body_end="""</div></div>
<div class="wpcf7 js" id="wpcf7-f55-o1"><form action="/#wpcf7-f55-o1" method="post" class="wpcf7-form init"></form></div>
<script src="/wp-content/plugins/contact-form-7/includes/js/index.js?ver=5.8.5"></script>
<script src="/wp-content/plugins/elementor/assets/js/frontend.min.js?ver=3.18.3"></script>""",
        headers={"server": "nginx/1.24.0", "x-powered-by": "PHP/8.1.27", "link": '<https://{host}/wp-json/>; rel="https://api.w.org/"'},
    ),
    Stack(
        "wp-divi-woo",
        ("WordPress", "Divi", "WooCommerce", "jQuery", "jQuery Migrate", "Stripe", "Cloudflare", "Facebook Pixel"),
        head=_WP_HEAD + """
<link rel="stylesheet" href="/wp-content/themes/Divi/style.min.css?ver=4.23.1">
<link rel="stylesheet" href="/wp-content/plugins/woocommerce/assets/css/woocommerce.css?ver=8.4.0">
<script src="https://js.stripe.com/v3/"></script>
""" + _FB_PIXEL,
        body_class="home woocommerce-no-js et_pb_button_helper_class",
        body_start='<div id="et-main-area"><div class="et_pb_section et_pb_section_0">',
        body_end="""</div></div>
<script src="/wp-content/themes/Divi/js/scripts.min.js?ver=4.23.1"></script>
<script>var wc_add_to_cart_params = {"ajax_url":"\\/wp-admin\\/admin-ajax.php","i18n_view_cart":"View cart"};</script>""",
        headers={"server": "cloudflare", "cf-ray": "84a1b2c3d4e5f607-FRA", "cf-cache-status": "DYNAMIC"},
        cookies={"woocommerce_items_in_cart": "0", "__cf_bm": "x"},
    ),
    Stack(
        "wix",
        ("Wix", "React", "Google Tag Manager"),
        head="""<meta name="generator" content="Wix.com Website Builder">
<link rel="preconnect" href="https://static.parastorage.com" crossorigin>
<script src="https://static.parastorage.com/unpkg/react@18.2.0/umd/react.production.min.js"></script>
<script>window.viewerModel = {"site":{"metaSiteId":"5f3e1b2a","sentryDsn":"https://605a7baede844d278b89dc95ae0a9123@sentry-next.wixpress.com/68",
"packages":["react@18.2.0","react-dom@18.2.0","lodash@4.17.21"]}};</script>
""" + _GTM_HEAD,
        body_class="wix-site",
        body_start='<div id="SITE_CONTAINER"><div id="main_MF"><div id="SITE_PAGES"><div class="wixui-section">',
        body_end="""</div></div></div></div>
<img src="https://static.wixstatic.com/media/8b1a2c_4f5e6d7c8b9a~mv2.png/v1/fill/w_240,h_80/logo@2x.png" alt="">""" + _GTM_BODY,
        headers={"x-wix-request-id": "1706543210.1234567", "server": "Pepyaka"},
        cookies={"svSession": "abc", "XSRF-TOKEN": "1"},
    ),
    Stack(
        "squarespace",
        ("Squarespace", "Acuity Scheduling"),
        head="""<meta name="generator" content="Squarespace">
<script src="https://assets.squarespace.com/universal/scripts-compressed/extract-css-runtime-1f3b.js" defer></script>
<script>Static.SQUARESPACE_CONTEXT = {"websiteSettings":{"storeSettings":{}},"templateId":"5c5a519771c10ba3470d8101"};</script>
<link rel="stylesheet" href="https://static1.squarespace.com/static/versioned-site-css/6409/site.css">""",
        body_class="sqs-seven-one",
        body_start='<div id="siteWrapper" class="clearfix site-wrapper">',
        body_end="""</div>
<iframe src="https://app.acuityscheduling.com/schedule.php?owner=21345678" title="Schedule Appointment" width="100%" height="800"></iframe>
<script src="https://embed.acuityscheduling.com/js/embed.js"></script>""",
        headers={"server": "Squarespace"},
        cookies={"crumb": "x"},
    ),
    Stack(
        "shopify",
        ("Shopify", "Klaviyo", "Facebook Pixel", "Google Tag", "Google Analytics 4", "Cloudflare"),
        head="""<link rel="stylesheet" href="//{host}/cdn/shop/t/12/assets/base.css?v=17342">
<script src="https://cdn.shopify.com/s/files/1/0612/3456/7890/t/12/assets/global.js?v=1" defer></script>
<meta name="shopify-checkout-api-token" content="0f1e2d3c4b5a69788796a5b4c3d2e1f0">
<script>var Shopify = Shopify || {}; Shopify.shop = "{slug}.myshopify.com"; Shopify.theme = {"name":"Dawn","id":131234567890};</script>
<script async src="https://static.klaviyo.com/onsite/js/klaviyo.js?company_id=Xy12Ab"></script>
""" + _FB_PIXEL + _GTAG,
        body_class="template-index",
        body_start='<div id="shopify-section-header" class="shopify-section">',
        body_end="</div>",
        headers={"x-shopid": "61234567890", "x-shopify-stage": "production", "server": "cloudflare",
                 "cf-ray": "84aa11bb22cc33dd-LHR"},
        cookies={"_shopify_y": "x", "_shopify_s": "y", "cart_sig": "z"},
    ),
    Stack(
        "webflow",
        ("Webflow", "Google Tag Manager", "Hotjar", "jQuery", "Cloudflare"),
        head="""<meta content="Webflow" name="generator">
<link href="https://assets-global.website-files.com/64a1b2c3d4e5f6a7b8c9d0e1/css/site.webflow.shared.4f5e6d.css" rel="stylesheet" type="text/css">
""" + _GTM_HEAD + _HOTJAR,
        body_start='<div class="page-wrapper">',
        body_end="""</div>""" + _GTM_BODY + """
<script src="https://d3e54v103j8qbb.cloudfront.net/js/jquery-3.5.1.min.dc5e7f18c8.js?site=64a1b2c3d4e5f6a7b8c9d0e1" type="text/javascript"></script>
<script src="https://assets-global.website-files.com/64a1b2c3d4e5f6a7b8c9d0e1/js/webflow.7c1e2a.js" type="text/javascript"></script>""",
        headers={"server": "cloudflare", "cf-ray": "84bb22cc33dd44ee-AMS"},
    ),
    Stack(
        "joomla",
        ("Joomla", "Bootstrap", "jQuery", "Matomo", "Apache HTTP Server", "PHP"),
        head="""<meta name="generator" content="Joomla! - Open Source Content Management">
<script src="/media/jui/js/jquery.min.js?5b8e1f"></script>
<script src="/media/jui/js/bootstrap.min.js?5b8e1f"></script>
<script type="application/json" class="joomla-script-options new">{"csrf.token":"0f1e2d3c4b5a6978","system.paths":{"root":"","base":""}}</script>
""" + _MATOMO,
        body_class="site com_content view-article",
        body_start='<div class="body"><div class="container">',
        body_end="</div></div>",
        headers={"server": "Apache", "x-powered-by": "PHP/7.4.33"},
        cookies={"3f2a1b0c9d8e7f6a": "session"},
    ),
    Stack(
        "typo3",
        ("TYPO3", "Matomo", "Usercentrics", "Apache HTTP Server"),
        head="""<meta name="generator" content="TYPO3 CMS">
<link rel="stylesheet" href="/typo3temp/assets/compressed/merged-4f5e6d7c8b9a0f1e2d3c.css?1705312345" media="all">
<script src="/typo3conf/ext/site_package/Resources/Public/JavaScript/main.js?1705312345"></script>
<script id="usercentrics-cmp" src="https://app.usercentrics.eu/browser-ui/latest/loader.js" data-settings-id="AbCdEf123" async></script>
""" + _MATOMO,
        body_start='<div class="page"><div id="c12" class="frame frame-default">',
        body_end="</div></div>",
        headers={"server": "Apache/2.4.57 (Debian)"},
    ),
    Stack(
        "drupal",
        ("Drupal", "Google Tag Manager", "OneTrust", "Varnish"),
        head="""<meta name="Generator" content="Drupal 10 (https://www.drupal.org)">
<script type="application/json" data-drupal-selector="drupal-settings-json">{"path":{"baseUrl":"\\/","currentPath":"node\\/1"}}</script>
<script src="https://cdn.cookielaw.org/scripttemplates/otSDKStub.js" data-domain-script="0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"></script>
""" + _GTM_HEAD,
        body_class="path-frontpage page-node-type-page",
        body_start='<div class="dialog-off-canvas-main-canvas" data-off-canvas-main-canvas>',
        body_end="</div>" + _GTM_BODY,
        headers={"x-generator": "Drupal 10 (https://www.drupal.org)", "x-drupal-cache": "HIT", "via": "1.1 varnish",
                 "x-varnish": "123456 789012"},
    ),
    Stack(
        "static-bootstrap",
        ("Bootstrap", "jQuery", "Font Awesome", "Google Fonts", "reCAPTCHA", "Apache HTTP Server"),
        head="""<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/bootstrap@5.3.2/dist/css/bootstrap.min.css" integrity="sha384-T3c6CoIi6uLrA9TneNEoa7RxnatzjcDSCmG1MXxSR1GAsXEV/Dwwykc2MPK8M2HN" crossorigin="anonymous">
<link rel="stylesheet" href="https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.5.1/css/all.min.css">
<link href="https://fonts.googleapis.com/css2?family=Open+Sans:wght@400;600&amp;display=swap" rel="stylesheet">
<script src="https://www.google.com/recaptcha/api.js" async defer></script>""",
        body_start='<div class="container-fluid">',
        body_end="""</div>
<script src="https://code.jquery.com/jquery-3.7.1.min.js" integrity="sha256-/JqT3SQfawRcv/BIHPThkBvs0OEvtFFmqPF/lYI/Cxo=" crossorigin="anonymous"></script>
<script src="https://cdn.jsdelivr.net/npm/bootstrap@5.3.2/dist/js/bootstrap.bundle.min.js"></script>""",
        headers={"server": "Apache/2.4.41 (Ubuntu)"},
    ),
    Stack(
        "godaddy",
        ("GoDaddy Website Builder",),
        head="""<meta name="generator" content="Starfield Technologies; Go Daddy Website Builder 8.0.0000">
<link rel="preconnect" href="https://img1.wsimg.com">
<script src="https://img1.wsimg.com/blobby/go/static/js/vendors.4f5e6d.js"></script>""",
        body_start='<div id="layout-0f1e2d3c" class="layout layout-layout layout-layout-layout-13 locale-en-US">',
        body_end="</div>",
        headers={"server": "DPS/2.0.0+sha-4f5e6d7", "x-siteid": "us-east-1"},
    ),
    Stack(
        "jimdo",
        ("Jimdo",),
        head="""<link rel="stylesheet" href="https://assets.jimstatic.com/web.css.4f5e6d7c8b9a0f1e2d3c.css">
<script src="https://assets.jimstatic.com/web.js.4f5e6d7c8b9a.js"></script>""",
        body_start='<div class="jtpl-main"><div class="content-options">',
        body_end="</div></div>",
        headers={"x-jimdo-instance": "i0f1e2d3c"},
    ),
    Stack(
        "nextjs",
        ("Next.js", "React", "Vercel", "Intercom"),
        head="""<link rel="preload" href="/_next/static/media/a34f9d1faa5f3315-s.p.woff2" as="font" crossorigin="" type="font/woff2">
<link rel="stylesheet" href="/_next/static/css/4f5e6d7c8b9a0f1e.css" data-precedence="next">
<script src="/_next/static/chunks/webpack-4f5e6d7c8b9a0f1e.js" async=""></script>""",
        body_start='<div id="__next">',
        body_end="""</div>
<script id="__NEXT_DATA__" type="application/json">{"props":{"pageProps":{"site":{"name":"{name}","build":"next@14.0.4"}}},"page":"/","query":{},"buildId":"Xy12AbCd","nextExport":false}</script>
<script>window.intercomSettings = {api_base: "https://api-iam.intercom.io", app_id: "abc12def"};</script>
<script async src="https://widget.intercom.io/widget/abc12def"></script>""",
        headers={"server": "Vercel", "x-vercel-id": "fra1::iad1::abcde-1706543210123-0f1e2d3c4b5a", "x-powered-by": "Next.js"},
    ),
    Stack(
        "wp-calendly-tawk",
        ("WordPress", "jQuery", "jQuery Migrate", "Calendly", "Tawk.to", "LiteSpeed", "PHP"),
        head=_WP_HEAD + """
<link rel="stylesheet" href="https://assets.calendly.com/assets/external/widget.css">
<script src="https://assets.calendly.com/assets/external/widget.js" async></script>""",
        body_class="home page-template-default wp-custom-logo",
        body_start='<div id="page" class="site">',
        body_end="""</div>
<div class="calendly-inline-widget" data-url="https://calendly.com/{slug}/30min" style="min-width:320px;height:630px;"></div>
""" + _TAWK,
        headers={"server": "LiteSpeed", "x-litespeed-cache": "hit", "x-powered-by": "PHP/8.2.12"},
    ),
    Stack(
        "prestashop",
        ("PrestaShop", "PHP", "jQuery", "Nginx"),
        head="""<link rel="stylesheet" href="/themes/classic/assets/css/theme.css" type="text/css" media="all">
<script>var prestashop = {"cart":{"products":[],"totals":{"total":{"type":"total","label":"Total","amount":0}}},"currency":{"iso_code":"EUR"}};</script>
<script src="/themes/core.js"></script>
<script src="/js/jquery/jquery-3.5.1.min.js"></script>""",
        body_class="lang-fr country-fr currency-eur layout-full-width page-index",
        body_start='<main><div id="wrapper">',
        body_end="</div></main>",
        headers={"server": "nginx"},
        cookies={"PrestaShop-a1b2c3d4e5f6": "def"},
    ),
    Stack(
        "duda",
        ("Duda", "Podium", "Nginx"),
        head="""<link rel="preconnect" href="https://irp.cdn-website.com">
<link rel="stylesheet" href="https://irp.cdn-website.com/WIDGET_CSS/4f5e6d7c8b9a0f1e.css">
<script src="https://irp.cdn-website.com/4f5e6d7c/files/uploaded/main.js"></script>""",
        body_start='<div id="dm" class="dmwr"><div class="dm_wrapper standard-var5 widgetStyle-3 standard">',
        body_end="""</div></div>
<script defer src="https://connect.podium.com/widget.js#ORG_TOKEN=0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0" id="podium-widget" data-organization-api-token="0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"></script>""",
        headers={"server": "nginx"},
    ),
    Stack(
        "magento",
        ("Magento", "PHP", "Google Tag Manager", "Cookiebot", "Fastly", "Varnish"),
        head="""<link rel="stylesheet" type="text/css" media="all" href="https://{host}/static/version1706543210/frontend/Acme/theme/de_DE/css/styles-m.css">
<script type="text/x-magento-init">{"*":{"Magento_PageCache/js/form-key-provider":{}}}</script>
<script id="Cookiebot" src="https://consent.cookiebot.com/uc.js" data-cbid="0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0" type="text/javascript" async></script>
""" + _GTM_HEAD,
        body_class="cms-home cms-index-index page-layout-1column",
        body_start='<div class="page-wrapper">',
        body_end="</div>" + _GTM_BODY,
        headers={"x-magento-tags": "cms_b_footer", "x-served-by": "cache-fra-eddf8230123-FRA", "via": "1.1 varnish",
                 "x-varnish": "11 22"},
        cookies={"mage-cache-storage": "x", "X-Magento-Vary": "y"},
    ),
    Stack(
        "weebly",
        ("Weebly", "jQuery", "Apache HTTP Server"),
        head="""<link id="wsite-base-style" rel="stylesheet" type="text/css" href="//cdn2.editmysite.com/css/sites.css?buildTime=1706543210">
<script src="//cdn2.editmysite.com/js/jquery-1.8.3.min.js"></script>
<script>var _W = _W || {}; _W.configDomain = "www.weebly.com";</script>""",
        body_class="wsite-theme-light wsite-page-index",
        body_start='<div class="wrapper"><div id="wsite-content" class="wsite-elements wsite-not-footer">',
        body_end="</div></div>",
        headers={"server": "Apache"},
    ),
    Stack(
        "hubspot",
        ("HubSpot CMS", "HubSpot", "HubSpot Forms", "jQuery", "Cloudflare"),
        head="""<meta name="generator" content="HubSpot">
<script src="/hs/hsstatic/jquery-libs/static-1.4/jquery/jquery-1.11.2.js"></script>
<script charset="utf-8" type="text/javascript" src="//js.hsforms.net/forms/embed/v2.js"></script>""",
        body_start='<div class="body-wrapper hs-content-id-123456 hs-site-page page">',
        body_end="""</div>
<script>hbspt.forms.create({region: "na1", portalId: "2345678", formId: "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"});</script>
<script type="text/javascript" id="hs-script-loader" async defer src="//js.hs-scripts.com/2345678.js"></script>""",
        headers={"x-hs-hub-id": "2345678", "server": "cloudflare", "cf-ray": "84cc33dd44ee55ff-IAD"},
        cookies={"__hstc": "x", "hubspotutk": "y"},
    ),
    Stack(
        "static-typeform",
        ("Typeform", "Plausible", "Netlify", "Tailwind CSS"),
        head="""<script src="https://cdn.tailwindcss.com"></script>
<script defer data-domain="{host}" src="https://plausible.io/js/script.js"></script>""",
        body_class="bg-white text-gray-800",
        body_start='<div class="max-w-4xl mx-auto px-4">',
        body_end="""</div>
<div data-tf-widget="AbCdEf12" data-tf-opacity="100" style="width:100%;height:500px;"></div>
<script src="//embed.typeform.com/next/embed.js"></script>""",
        headers={"server": "Netlify", "x-nf-request-id": "01HN0F1E2D3C4B5A6978879"},
    ),
    Stack(
        "shopware",
        ("Shopware", "PHP", "Nginx"),
        head="""<link rel="stylesheet" href="https://{host}/theme/4f5e6d7c8b9a0f1e/css/all.css?1706543210">
<script src="https://{host}/bundles/storefront/storefront/js/storefront/storefront.js?1706543210" defer></script>""",
        body_class="is-ctl-navigation is-act-index",
        body_start='<main class="content-main"><div class="container">',
        body_end="</div></main>",
        headers={"server": "nginx/1.22.1"},
        cookies={"sw-states": "x", "session-": "y"},
    ),
    Stack(
        "gatsby",
        ("Gatsby", "React", "Netlify", "Google Tag", "Google Analytics 4"),
        head="""<meta name="generator" content="Gatsby 5.12.4">
<link rel="preload" href="/page-data/app-data.json" as="fetch" crossorigin="anonymous">
""" + _GTAG,
        body_start='<div id="___gatsby"><div style="outline:none" tabindex="-1" id="gatsby-focus-wrapper">',
        body_end="""</div></div>
<script id="gatsby-chunk-mapping">window.___chunkMapping={"app":["/app-4f5e6d7c8b9a0f1e.js"]};</script>""",
        headers={"server": "Netlify", "x-nf-request-id": "01HN1A2B3C4D5E6F7A8B9C"},
    ),
    Stack(
        "ghost",
        ("Ghost", "Nginx"),
        head="""<meta name="generator" content="Ghost 5.75">
<link rel="alternate" type="application/rss+xml" title="RSS" href="https://{host}/rss/">
<script defer src="https://cdn.jsdelivr.net/ghost/portal@~2.36/umd/portal.min.js" data-i18n="false" data-ghost="https://{host}/" data-api="https://{host}/ghost/api/content/" crossorigin="anonymous"></script>""",
        body_class="home-template",
        body_start='<div class="viewport"><div class="site-content">',
        body_end="</div></div>",
        headers={"server": "nginx", "x-ghost-cache-status": "HIT"},
    ),
    Stack(
        "contao",
        ("Contao", "Apache HTTP Server", "PHP"),
        head="""<meta name="generator" content="Contao Open Source CMS">
<!--

	This website is powered by Contao Open Source CMS :: Licensed under GNU/LGPL

-->
<link rel="stylesheet" href="/assets/css/layout.min.css,responsive.min.css-4f5e6d7c.css">
<script src="/assets/contao/js/core.min.js"></script>""",
        body_class="mac chrome blink ch120",
        body_start='<div id="wrapper"><div id="container"><main id="main"><div class="inside">',
        body_end="</div></main></div></div>",
        headers={"server": "Apache", "x-powered-by": "PHP/8.2.10"},
    ),
    Stack(
        "framer",
        ("Framer",),
        head="""<meta name="generator" content="Framer 3b5e9c1">
<link href="https://framerusercontent.com/sites/4f5e6d7c8b9a/styles.css" rel="stylesheet">""",
        body_start='<div id="main" data-framer-hydrate-v2="{&quot;routeId&quot;:&quot;augiA20Il&quot;}">',
        body_end="""</div>
<script type="module" src="https://framerusercontent.com/sites/4f5e6d7c8b9a/script_main.4f5e6d7c.mjs" async></script>""",
        headers={"server": "Framer/2f3e"},
    ),
    Stack(
        "wp-wpbakery-mailchimp",
        ("WordPress", "WPBakery", "jQuery", "jQuery Migrate", "Mailchimp", "Cookiebot", "Microsoft IIS", "ASP.NET"),
        head=_WP_HEAD + """
<meta name="generator" content="Powered by WPBakery Page Builder - drag and drop page builder for WordPress.">
<link rel="stylesheet" href="/wp-content/plugins/js_composer/assets/css/js_composer.min.css?ver=7.3">
<script id="Cookiebot" src="https://consent.cookiebot.com/uc.js" data-cbid="1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d" data-blockingmode="auto" type="text/javascript"></script>""",
        body_class="home page-template-default wpb-js-composer js-comp-ver-7.3 vc_responsive",
        body_start='<div class="wpb-content-wrapper"><div class="vc_row wpb_row vc_row-fluid">',
        body_end="""</div></div>
<div id="mc_embed_signup"><form action="https://{slug}.us21.list-manage.com/subscribe/post?u=0f1e2d3c4b5a6978&amp;id=8796a5b4c3" method="post" id="mc-embedded-subscribe-form" name="mc-embedded-subscribe-form" class="validate" target="_blank">
<input type="email" name="EMAIL" class="required email" id="mce-EMAIL" placeholder="your@email.com"><input type="submit" value="Subscribe" name="subscribe" id="mc-embedded-subscribe" class="button"></form></div>""",
        headers={"server": "Microsoft-IIS/10.0", "x-powered-by": "ASP.NET"},
    ),
    Stack(
        "static-plain",
        ("Apache HTTP Server",),
        head="""<link rel="stylesheet" href="/css/style.css">""",
        body_start='<div id="page">',
        body_end="</div>",
        headers={"server": "Apache"},
    ),
    Stack(
        "static-plain-nginx",
        ("Nginx", "Google Analytics"),
        head="""<link rel="stylesheet" href="/assets/site.css?v=3">
<script>(function(i,s,o,g,r,a,m){i['GoogleAnalyticsObject']=r;i[r]=i[r]||function(){(i[r].q=i[r].q||[]).push(arguments)},
i[r].l=1*new Date();a=s.createElement(o),m=s.getElementsByTagName(o)[0];a.async=1;a.src=g;m.parentNode.insertBefore(a,m)
})(window,document,'script','https://www.google-analytics.com/analytics.js','ga');
ga('create', 'UA-12345678-1', 'auto'); ga('send', 'pageview');</script>""",
        body_start='<div class="wrap">',
        body_end="</div>",
        headers={"server": "nginx/1.18.0 (Ubuntu)"},
    ),
)

SENTRY_SNIPPET = _SENTRY


def fill(text: str, **values: str) -> str:
    """Replace ``{key}`` placeholders (and only those: snippets are full of literal braces)."""
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text
