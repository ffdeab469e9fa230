# lorsync in Zotero: every string the plugin shows. (The plan window's dashboard and the views
# inside the item-pane section come from the web dashboard and carry their own text.)

## Main window: the item pane's "Letters" section

lorsync-section-header =
    .label = Letters
lorsync-section-sidenav =
    .tooltiptext = Letters
lorsync-section-connecting = Connecting to lorsyncd…
lorsync-section-stale = Not up to date:
lorsync-section-summary =
    { $errors ->
        [0] Ready
        [one] 1 problem to fix
       *[other] { $errors } problems to fix
    }
lorsync-section-packet =
    This is the { $kind ->
        [cv] CV
        [personal-statement] personal statement
        [scores] exam scores
        [photo] photo
       *[summary] one-page summary
    } of your letter packet.

## Main window: menus, and linking an item to the packet

lorsync-menu-plan =
    .label = Letters of Recommendation Plan…
lorsync-menu-add-to-packet =
    .label = Add to LOR packet…
lorsync-packet-prompt-title = Add to LOR packet
lorsync-packet-prompt-text = Which document of your letter packet is “{ $title }”?
lorsync-packet-kind =
    { $kind ->
        [cv] CV
        [personal-statement] Personal statement
        [scores] Exam scores
        [photo] Photo
       *[summary] One-page summary
    }
lorsync-packet-linked =
    “{ $title }” is now the { $kind ->
        [cv] CV
        [personal-statement] personal statement
        [scores] exam scores
        [photo] photo
       *[summary] one-page summary
    } of your letter packet.

## Plan window

lorsync-plan-title = Letters of recommendation — lorsync
lorsync-plan-unauthorized-help = This window reads the current key from your plan folder and tries again every few seconds, so it connects by itself once lorsyncd has finished starting. If you gave an address in Zotero’s settings (under lorsync), paste the new one that “lorsync open --print” prints.

## Settings pane

lorsync-pref-title = Your plan
lorsync-pref-intro = lorsync finds the running lorsyncd, and its token, in your plan folder. Leave the folder empty to use the default plan, ~/.local/share/lorsync/plan.
lorsync-pref-plan-folder = Plan folder:
lorsync-pref-choose-folder =
    .label = Choose…
lorsync-pref-choose-folder-title = Choose your lorsync plan folder
lorsync-pref-remote-title = Or an address
lorsync-pref-remote-intro = If Zotero cannot read the plan folder (another user, a container), paste the address that “lorsync open” prints. An address here is used instead of the plan folder.
lorsync-pref-url = Address:
lorsync-pref-token = Token:
lorsync-pref-test =
    .label = Test connection
lorsync-test-running = Connecting…
lorsync-test-ok =
    Connected to { $url }: { $applicant }’s plan for the { $cycle } Match, { $errors ->
        [0] ready (no errors)
        [one] 1 error to fix
       *[other] { $errors } errors to fix
    }, { $warnings ->
        [one] 1 warning
       *[other] { $warnings } warnings
    }.

## What went wrong, in plain words (section, plan window, settings pane)
## Firefox wraps each { $value } in invisible direction marks: keep them out of commands to copy.

lorsync-error-no-plan-folder = There is no folder { $folder }. Choose your plan folder in Zotero’s settings, under lorsync.
lorsync-error-not-running = lorsyncd is not running for the plan in { $folder }. Start it (“lorsyncd --plan” and that folder, or “systemctl --user start lorsyncd”): Zotero connects to it by itself once it runs.
lorsync-error-bad-daemon-file = lorsync could not read { $file }. Restarting lorsyncd writes it again.
lorsync-error-bad-url = “{ $url }” is not an address of lorsyncd. It looks like http://127.0.0.1:23231/ (“lorsync open” prints yours).
lorsync-error-no-token = That address needs its token. Paste the whole address that “lorsync open” prints, or leave the address empty to use the plan folder.
lorsync-error-unreachable = Could not connect to lorsyncd ({ $detail }). It is not running at that address, or it refused the connection.
lorsync-error-unauthorized = lorsyncd refused the token. The token changes each time lorsyncd starts: use the plan folder, which always has the current one, or paste the new address that “lorsync open” prints.
lorsync-error-no-answer = lorsyncd did not answer in time ({ $detail }).
lorsync-error-other = lorsyncd said: { $detail }
